using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quicksilver.Server.Extensions;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

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

    [Theory]
    [InlineData("Quicksilver:Limits:MaxTokens", "0", "Quicksilver:Limits:MaxTokens must be at least 1, but is 0")]
    [InlineData("Quicksilver:Limits:MaxPromptTokens", "-5", "Quicksilver:Limits:MaxPromptTokens must be at least 1")]
    [InlineData("Quicksilver:Limits:MaxRequestBodyBytes", "10", "Quicksilver:Limits:MaxRequestBodyBytes must be at least 1024, but is 10")]
    public void Start_InvalidLimit_FailsWithAClearMessage(string key, string value, string message)
    {
        using var factory = new QuicksilverApiFactory(FakeServedModel.Create(), new Dictionary<string, string?> { [key] = value });

        var exception = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }
}
