using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE, REAL MODEL FOLDER: a stop sequence ends the engine's work on the step that finalised the block holding
/// it, so a stop-ended answer's <c>denoising_steps</c> are exactly those of its blocks through that one, on every run
/// (the engine no longer steps on until the pod's cancellation reaches it).
/// </summary>
[Trait("Engine", "Real")]
public sealed class StopSequenceStepsTests(EmbeddedModelFixture fixture) : IClassFixture<EmbeddedModelFixture>
{
    private const int Block = 4;

    [Fact]
    public async Task StopInAnEarlyBlock_DenoisingStepsEndWithThatBlock_OnEveryRun()
    {
        // Greedy, one step per token: the answer without a stop shows where the first comma falls.
        JsonObject unstopped = await CompleteAsync(new JsonObject { ["logprobs"] = 0 });
        string text = (string)unstopped["choices"]![0]!["text"]!;
        int comma = text.IndexOf(',', StringComparison.Ordinal);
        int[] offsets = [.. unstopped["choices"]![0]!["logprobs"]!["text_offset"]!.AsArray().Select(o => (int)o!)];
        int commaToken = offsets.Count(offset => offset <= comma) - 1;
        Assert.True(comma >= 0 && commaToken / Block < (32 / Block) - 1, $"the answer needs a comma before its last block: '{text}'");

        for (int run = 0; run < 3; run++)
        {
            JsonObject stopped = await CompleteAsync(new JsonObject { ["stop"] = "," });

            Assert.Equal(text[..comma], (string)stopped["choices"]![0]!["text"]!);
            Assert.Equal("stop", (string?)stopped["choices"]![0]!["finish_reason"]);
            Assert.Equal(((commaToken / Block) + 1) * Block, (int)stopped["usage"]!["denoising_steps"]!);
        }
    }

    private async Task<JsonObject> CompleteAsync(JsonObject fields)
    {
        fields["prompt"] = "And God said";
        fields["max_tokens"] = 32;
        fields["block_length"] = Block;
        fields["temperature"] = 0;
        fields["ignore_eos"] = true;
        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(fields);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonObjectAsync();
    }
}
