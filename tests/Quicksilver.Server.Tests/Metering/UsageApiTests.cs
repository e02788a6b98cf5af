using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Metering.Tests;

/// <summary>
/// REAL ENGINE, priced: every <c>usage</c> reports the device seconds the engine measured and their cost,
/// <c>cost_usd = gpu_seconds × price / 3600</c> (<see cref="OpenAIAssert.Usage"/>), in answers and usage chunks.
/// </summary>
[Trait("Engine", "Real")]
public sealed class UsageApiTests(MeteredModelFixture fixture) : IClassFixture<MeteredModelFixture>
{
    private const double Price = MeteredModelFixture.GpuHourPriceUsd;

    [Fact]
    public async Task Completion_NonStream_UsageReportsGpuSecondsAndTheirCost()
    {
        JsonObject usage = await UsageRequests.UsageAsync(fixture.Client.PostCompletionAsync(UsageRequests.Completion(stream: false)), stream: false);

        OpenAIAssert.Usage(usage, Price);
    }

    [Fact]
    public async Task ChatCompletion_NonStream_UsageReportsGpuSecondsAndTheirCost()
    {
        JsonObject usage = await UsageRequests.UsageAsync(fixture.Client.PostChatCompletionAsync(UsageRequests.Chat(stream: false)), stream: false);

        OpenAIAssert.Usage(usage, Price);
    }

    [Fact]
    public async Task Completion_StreamUsageChunk_ReportsGpuSecondsAndTheirCost()
    {
        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(UsageRequests.Completion(stream: true));

        JsonObject usageChunk = await UsageRequests.LastChunkAsync(response);
        Assert.Empty(usageChunk["choices"]!.AsArray());
        OpenAIAssert.Usage(usageChunk["usage"], Price);
    }

    [Fact]
    public async Task ChatCompletion_StreamUsageChunk_ReportsGpuSecondsAndTheirCost()
    {
        using HttpResponseMessage response = await fixture.Client.PostChatCompletionAsync(UsageRequests.Chat(stream: true));

        JsonObject usageChunk = await UsageRequests.LastChunkAsync(response);
        Assert.Empty(usageChunk["choices"]!.AsArray());
        OpenAIAssert.Usage(usageChunk["usage"], Price);
    }
}
