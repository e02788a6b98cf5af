using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.Options;

public sealed class OptionsValidatorTests
{
    private static readonly GatewayOptions Valid = new()
    {
        Models = new() { ["m"] = new ModelPodsOptions { Pods = ["http://10.0.0.7:8000"] } },
        PodKey = "0123456789abcdef",
    };

    [Fact]
    public void Gateway_Valid_Passes() => Assert.True(new GatewayOptionsValidator().Validate(null, Valid).Succeeded);

    [Theory]
    [InlineData("no-models", "Gateway:Models names no model")]
    [InlineData("no-pods", "Gateway:Models:m has neither Pods nor HeadlessService.")]
    [InlineData("bad-pod", "Gateway:Models:m:Pods has '10.0.0.7:8000', which is not an http(s) base address")]
    [InlineData("pod-with-path", "Gateway:Models:m:Pods has 'http://10.0.0.7:8000/v1', which is not an http(s) base address")]
    [InlineData("short-key", "Gateway:PodKey must be set to a shared secret of at least 16 characters")]
    [InlineData("bad-port", "Gateway:Models:m:PodPort must be a port number (1-65535), not 0.")]
    [InlineData("bad-management-port", "Gateway:ManagementPort must be a port number (1-65535), not 70000.")]
    [InlineData("body-limit-too-large", "Gateway:MaxRequestBodyBytes must be between 1024 and 1073741824 (the gateway holds each body in memory), not 1073741825.")]
    public void Gateway_Defect_IsNamed(string defect, string expected)
    {
        GatewayOptions options = defect switch
        {
            "no-models" => new GatewayOptions { PodKey = Valid.PodKey },
            "no-pods" => new GatewayOptions { Models = new() { ["m"] = new ModelPodsOptions() }, PodKey = Valid.PodKey },
            "bad-pod" => new GatewayOptions { Models = new() { ["m"] = new ModelPodsOptions { Pods = ["10.0.0.7:8000"] } }, PodKey = Valid.PodKey },
            "pod-with-path" => new GatewayOptions { Models = new() { ["m"] = new ModelPodsOptions { Pods = ["http://10.0.0.7:8000/v1"] } }, PodKey = Valid.PodKey },
            "short-key" => new GatewayOptions { Models = Valid.Models, PodKey = "short" },
            "bad-port" => new GatewayOptions { Models = new() { ["m"] = new ModelPodsOptions { HeadlessService = "pods", PodPort = 0 } }, PodKey = Valid.PodKey },
            "bad-management-port" => new GatewayOptions { Models = Valid.Models, PodKey = Valid.PodKey, ManagementPort = 70000 },
            "body-limit-too-large" => new GatewayOptions { Models = Valid.Models, PodKey = Valid.PodKey, MaxRequestBodyBytes = (1L << 30) + 1 },
            _ => throw new ArgumentOutOfRangeException(nameof(defect)),
        };

        ValidateOptionsResult result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, failure => failure.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Routing_Defects_AreEachNamed()
    {
        ValidateOptionsResult result = new RoutingOptionsValidator().Validate(null, new RoutingOptions
        {
            LoadPollInterval = TimeSpan.Zero,
            UnresponsivePodTimeout = TimeSpan.FromSeconds(2),
            ModelCardTtl = TimeSpan.FromSeconds(-1),
            UnhealthyThreshold = 0,
            MaxAttempts = 0,
            RetryBudgetRatio = 2,
        });

        Assert.Equal(
            [
                "Gateway:Routing:LoadPollInterval must be a positive duration (e.g. 00:00:05), not 00:00:00.",
                "Gateway:Routing:UnresponsivePodTimeout must be at least LoadPollInterval + 2 x ProbeTimeout (00:00:04): one poll that timed out must not make a pod look hung, not 00:00:02.",
                "Gateway:Routing:ModelCardTtl must not be negative (00:00:00 asks a pod on every listing), not -00:00:01.",
                "Gateway:Routing:UnhealthyThreshold must be at least 1, not 0.",
                "Gateway:Routing:MaxAttempts must be at least 1, not 0.",
                "Gateway:Routing:RetryBudgetRatio must be between 0 and 1, not 2.",
            ],
            result.Failures);
        Assert.True(new RoutingOptionsValidator().Validate(null, new RoutingOptions()).Succeeded);
        Assert.True(new RoutingOptionsValidator().Validate(null, new RoutingOptions { ModelCardTtl = TimeSpan.Zero }).Succeeded);
        Assert.True(new RoutingOptionsValidator().Validate(null, new RoutingOptions { UnresponsivePodTimeout = TimeSpan.FromSeconds(4.5) }).Succeeded); // 0.5 s + 2 x 2 s
        Assert.True(new RoutingOptionsValidator().Validate(null, new RoutingOptions { UnresponsivePodTimeout = TimeSpan.FromSeconds(4.4) }).Failed);
    }

    [Fact]
    public void Tenancy_MissingFile_IsNamed()
    {
        Assert.Equal(
            "Gateway:Tenancy:ApiKeysFile '/nonexistent/tenants.json' does not exist.",
            new TenancyOptionsValidator().Validate(null, new TenancyOptions { ApiKeysFile = "/nonexistent/tenants.json" }).FailureMessage);
        Assert.StartsWith(
            "Gateway:Tenancy:ApiKeysFile must name the tenants file",
            new TenancyOptionsValidator().Validate(null, new TenancyOptions()).FailureMessage,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task DrainTimeout_IsTheHostsShutdownTimeout()
    {
        await using GatewayServer gateway = await GatewayServer.StartAsync(
            [new Uri("http://127.0.0.1:9")],
            settings: new Dictionary<string, string?> { ["Gateway:DrainTimeout"] = "00:04:00" },
            expectedPods: 0);

        Assert.Equal(TimeSpan.FromMinutes(4), gateway.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }
}
