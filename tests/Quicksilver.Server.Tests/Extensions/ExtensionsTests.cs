using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quicksilver.Engine;
using Quicksilver.Server.Extensions;

namespace Quicksilver.Server.Extensions.Tests;

public sealed class ExtensionsTests
{
    [Fact]
    public void AddQuicksilverServer_ModelSwitch_SetsModelPath()
    {
        string[] args = ["--model", "/models/llada-8b", "--urls", "http://127.0.0.1:0"];
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

        builder.AddQuicksilverServer(args);

        Assert.Equal("/models/llada-8b", builder.Configuration["Quicksilver:ModelPath"]);
        using WebApplication app = builder.Build();
        Assert.Equal("/models/llada-8b", app.Services.GetRequiredService<IOptions<QuicksilverOptions>>().Value.ModelPath);
    }

    [Fact]
    public void AddQuicksilverServer_Defaults_AreTheDocumentedOnesAndSetKestrelsBodyLimit()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();

        builder.AddQuicksilverServer([]);

        using WebApplication app = builder.Build();
        LimitsOptions limits = app.Services.GetRequiredService<IOptions<LimitsOptions>>().Value;
        Assert.Equal(new LimitsOptions { MaxPromptTokens = null, MaxTokens = 1024, MaxRequestBodyBytes = 1024 * 1024 }, limits);
        Assert.Equal(1024 * 1024, app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.MaxRequestBodySize);
    }

    [Fact]
    public void AddQuicksilverModel_AdmissionSettings_BindFromConfiguration()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Configuration["Quicksilver:Engine:QueueTimeout"] = "00:01:00";
        builder.Configuration["Quicksilver:Engine:MaxExpectedQueueWait"] = "00:00:07.5";
        builder.Configuration["Quicksilver:Engine:WarmUpSteps"] = "0";

        builder.AddQuicksilverServer([]);
        builder.AddQuicksilverModel();

        using WebApplication app = builder.Build();
        EngineOptions engine = app.Services.GetRequiredService<IOptions<EngineOptions>>().Value;
        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(7.5), 0), (engine.QueueTimeout, engine.MaxExpectedQueueWait, engine.WarmUpSteps));
        Assert.Null(new EngineOptions().MaxExpectedQueueWait);
        Assert.Equal(8, new EngineOptions().WarmUpSteps);
    }

    [Theory]
    [InlineData("Quicksilver:Limits:MaxTokens", "0", "Quicksilver:Limits:MaxTokens must be at least 1, but is 0")]
    [InlineData("Quicksilver:Limits:MaxPromptTokens", "-5", "Quicksilver:Limits:MaxPromptTokens must be at least 1 when set")]
    [InlineData("Quicksilver:Limits:MaxRequestBodyBytes", "10", "Quicksilver:Limits:MaxRequestBodyBytes must be at least 1024, but is 10")]
    [InlineData("Quicksilver:Limits:TokenizerWorkers", "0", "Quicksilver:Limits:TokenizerWorkers must be at least 1 when set")]
    [InlineData("Quicksilver:Engine:Backend", "gpu", "Quicksilver:Engine:Backend must be one of auto, cuda, cpu, but is 'gpu'.")]
    [InlineData("Quicksilver:Engine:Threads", "0", "Quicksilver:Engine:Threads must be at least 1 when set")]
    [InlineData("Quicksilver:Engine:DefaultBlockLength", "0", "Quicksilver:Engine:DefaultBlockLength must be at least 1, but is 0.")]
    [InlineData("Quicksilver:Engine:DefaultThreshold", "1.5", "Quicksilver:Engine:DefaultThreshold must be in (0, 1] when set (leave it unset for the step schedule), but is 1.5.")]
    [InlineData("Quicksilver:Engine:DefaultFactor", "0", "Quicksilver:Engine:DefaultFactor must be positive when set")]
    [InlineData("Quicksilver:Engine:KvCache", "5", "Quicksilver:Engine:KvCache must be none, prefix or dual, but is 5.")]
    [InlineData("Quicksilver:Engine:KvCacheRefresh", "7", "Quicksilver:Engine:KvCacheRefresh must be canvas, answer or frontier, but is 7.")]
    [InlineData("Quicksilver:Engine:MaxKvCacheBytes", "0", "Quicksilver:Engine:MaxKvCacheBytes must be at least 1 when set")]
    [InlineData("Quicksilver:Engine:MaxActiveSequences", "0", "Quicksilver:Engine:MaxActiveSequences must be at least 1, but is 0.")]
    [InlineData("Quicksilver:Engine:MaxQueuedRequests", "0", "Quicksilver:Engine:MaxQueuedRequests must be at least 1, but is 0.")]
    [InlineData("Quicksilver:Engine:QueueTimeout", "00:00:00", "Quicksilver:Engine:QueueTimeout must be positive, but is 00:00:00.")]
    [InlineData("Quicksilver:Engine:StallTimeout", "-00:00:01", "Quicksilver:Engine:StallTimeout must be positive, but is -00:00:01.")]
    [InlineData("Quicksilver:Engine:MaxExpectedQueueWait", "00:00:00", "Quicksilver:Engine:MaxExpectedQueueWait must be positive and at most QueueTimeout (00:00:30) when set")]
    [InlineData("Quicksilver:Engine:MaxExpectedQueueWait", "00:01:00", "Quicksilver:Engine:MaxExpectedQueueWait must be positive and at most QueueTimeout (00:00:30) when set (leave it unset for half of QueueTimeout), but is 00:01:00.")]
    [InlineData("Quicksilver:Engine:WarmUpSteps", "-1", "Quicksilver:Engine:WarmUpSteps must be between 0 (no warm-up) and 32, but is -1.")]
    [InlineData("Quicksilver:Engine:WarmUpSteps", "33", "Quicksilver:Engine:WarmUpSteps must be between 0 (no warm-up) and 32, but is 33.")]
    [InlineData("Quicksilver:Metering:GpuHourPriceUsd", "-2", "Quicksilver:Metering:GpuHourPriceUsd must be a finite number ≥ 0 (US dollars per hour of the device; 0 reports no cost), but is -2 (environment variable Quicksilver__Metering__GpuHourPriceUsd).")]
    [InlineData("Quicksilver:Metering:GpuHourPriceUsd", "NaN", "Quicksilver:Metering:GpuHourPriceUsd must be a finite number ≥ 0")]
    [InlineData("Quicksilver:Tenancy:GatewayKey", " ", "Quicksilver:Tenancy:GatewayKey must not be blank")]
    [InlineData("Quicksilver:Tenancy:RequireGateway", "true", "Quicksilver:Tenancy:RequireGateway needs Quicksilver:Tenancy:GatewayKey")]
    [InlineData("Quicksilver:Tenancy:PreviousGatewayKey", "old-key-0123456789", "Quicksilver:Tenancy:PreviousGatewayKey needs Quicksilver:Tenancy:GatewayKey (the key it is rotated to)")]
    [InlineData("Quicksilver:Tenancy:PreviousGatewayKey", " ", "Quicksilver:Tenancy:PreviousGatewayKey must not be blank")]
    public async Task Start_InvalidSetting_FailsWithAClearMessage(string key, string value, string message)
    {
        OptionsValidationException exception = await StartFailureAsync((key, value));

        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PreviousGatewayKeyTheSameAsTheKey_Fails()
    {
        OptionsValidationException exception = await StartFailureAsync(("Quicksilver:Tenancy:GatewayKey", "key-0123456789abcdef"), ("Quicksilver:Tenancy:PreviousGatewayKey", "key-0123456789abcdef"));

        Assert.Contains("Quicksilver:Tenancy:PreviousGatewayKey must differ from Quicksilver:Tenancy:GatewayKey", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MoreChoicesThanTheQueueHolds_FailsNamingBoth()
    {
        OptionsValidationException exception = await StartFailureAsync(("Quicksilver:Engine:MaxQueuedRequests", "4"));

        Assert.Contains("Quicksilver:Limits:MaxChoices must be at most Quicksilver:Engine:MaxQueuedRequests (4)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("but is 8 (environment variable Quicksilver__Limits__MaxChoices)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_DefaultThresholdAndFactor_FailsAsTwoRules()
    {
        OptionsValidationException exception = await StartFailureAsync(("Quicksilver:Engine:DefaultThreshold", "0.9"), ("Quicksilver:Engine:DefaultFactor", "1"));

        Assert.Contains("Quicksilver:Engine:DefaultThreshold and DefaultFactor are two different commit rules; set one of them.", exception.Message, StringComparison.Ordinal);
    }

    private static async Task<OptionsValidationException> StartFailureAsync(params (string Key, string Value)[] settings)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        foreach ((string key, string value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddQuicksilverServer([]);
        builder.AddQuicksilverModel();
        await using WebApplication app = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
    }
}
