using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Metering.Tests;

/// <summary>
/// REAL ENGINE, priced: every <c>usage</c> of completions and chat reports the device seconds the engine measured and
/// their cost, <c>cost_usd = gpu_seconds × price / 3600</c> (<see cref="OpenAIAssert.Usage"/>), in answers and in
/// the stream's usage chunk.
/// </summary>
[Trait("Engine", "Real")]
public sealed class UsageApiTests(MeteredModelFixture fixture) : IClassFixture<MeteredModelFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Completion_Usage_ReportsGpuSecondsAndTheirCost(bool stream)
    {
        JsonObject usage = await UsageRequests.UsageAsync(fixture.Client.PostCompletionAsync(UsageRequests.Completion(stream)), stream);

        OpenAIAssert.Usage(usage, MeteredModelFixture.GpuHourPriceUsd);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChatCompletion_Usage_ReportsGpuSecondsAndTheirCost(bool stream)
    {
        JsonObject usage = await UsageRequests.UsageAsync(fixture.Client.PostChatCompletionAsync(UsageRequests.Chat(stream)), stream);

        OpenAIAssert.Usage(usage, MeteredModelFixture.GpuHourPriceUsd);
    }
}
