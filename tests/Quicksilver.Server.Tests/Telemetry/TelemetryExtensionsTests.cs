using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Quicksilver.Server.Extensions;

namespace Quicksilver.Server.Telemetry.Tests;

public sealed class TelemetryExtensionsTests
{
    [Fact]
    public void AddQuicksilverTelemetry_NoEndpoint_RegistersNoOtlpExporterAndNoTracer()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Configuration[TelemetryOptions.OtlpEndpointVariable] = string.Empty;
        builder.AddQuicksilverServer([]);

        builder.AddQuicksilverTelemetry();

        Assert.DoesNotContain(builder.Services, IsOtlp);
        using WebApplication app = builder.Build();
        Assert.NotNull(app.Services.GetService<MeterProvider>());
        Assert.Null(app.Services.GetService<TracerProvider>());
    }

    [Theory]
    [InlineData("Quicksilver:Telemetry:OtlpEndpoint")]
    [InlineData(TelemetryOptions.OtlpEndpointVariable)]
    public void AddQuicksilverTelemetry_EndpointConfigured_RegistersOtlpExporterAndTracer(string key)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Configuration[key] = "http://otel-collector:4317";
        builder.AddQuicksilverServer([]);

        builder.AddQuicksilverTelemetry();

        Assert.Contains(builder.Services, IsOtlp);
        using WebApplication app = builder.Build();
        Assert.NotNull(app.Services.GetService<TracerProvider>());
    }

    [Theory]
    [InlineData("Quicksilver:Telemetry:OtlpEndpoint", "otel-collector:4317", "Quicksilver:Telemetry:OtlpEndpoint must be an absolute http or https address")]
    [InlineData("Quicksilver:Telemetry:OtlpProtocol", "http", "Quicksilver:Telemetry:OtlpProtocol must be one of grpc, http/protobuf, but is 'http'")]
    [InlineData("Quicksilver:DrainTimeout", "30.00:00:00", "Quicksilver:DrainTimeout must be between 00:00:00 and 01:00:00 (hh:mm:ss), but is 30.00:00:00")]
    [InlineData("Quicksilver:DrainTimeout", "-00:00:01", "Quicksilver:DrainTimeout must be between 00:00:00 and 01:00:00")]
    public async Task Start_InvalidSetting_FailsWithAClearMessage(string key, string value, string message)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Configuration[key] = value;
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddQuicksilverServer([]);
        builder.AddQuicksilverModel();
        builder.AddQuicksilverTelemetry();
        await using WebApplication app = builder.Build();

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(builder.Services, IsOtlp);
    }

    [Theory]
    [InlineData(null, 35)]
    [InlineData("00:02:00", 125)]
    [InlineData("00:00:00", 5)]
    public void AddQuicksilverModel_DrainTimeout_SetsShutdownTimeoutFiveSecondsLonger(string? drainTimeout, int shutdownSeconds)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        if (drainTimeout is not null)
        {
            builder.Configuration["Quicksilver:DrainTimeout"] = drainTimeout;
        }

        builder.AddQuicksilverServer([]);
        builder.AddQuicksilverModel();

        using WebApplication app = builder.Build();
        Assert.Equal(TimeSpan.FromSeconds(shutdownSeconds), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(shutdownSeconds - 5), app.Services.GetRequiredService<IOptions<Hosting.DrainOptions>>().Value.DrainTimeout);
    }

    // Any registration of the OTLP exporter's assembly: its options, builders or exporters.
    private static bool IsOtlp(ServiceDescriptor descriptor)
    {
        var otlp = typeof(OtlpExporterOptions).Assembly;
        return descriptor.ServiceType.Assembly == otlp
            || descriptor.ServiceType.GenericTypeArguments.Any(t => t.Assembly == otlp)
            || descriptor.ImplementationType?.Assembly == otlp
            || (descriptor.IsKeyedService ? descriptor.KeyedImplementationType?.Assembly == otlp : false);
    }
}
