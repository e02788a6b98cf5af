using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>The step loop on block-diffusion models: how an answer is cut into blocks (<see cref="Decoding.DecodingBlocks"/>).</summary>
public sealed class DiffusionEngineBlockDiffusionTests
{
    [Theory]
    [InlineData(6, new[] { 2, 4, 4 })]
    [InlineData(8, new[] { 4, 4, 2 })]
    public async Task GenerateAsync_NoBlockLengthRequested_FinishesThePromptsAttentionBlockThenWholeBlocks(int promptLength, int[] blocks)
    {
        // SDAR with attention blocks of 4: each update carries one finalised block.
        using var test = new TestEngine(new EngineOptions(), layers: 2, architecture: ModelArchitecture.Sdar, attentionBlockLength: 4);
        var request = new GenerationRequest { PromptTokens = [.. Enumerable.Range(1, promptLength)], MaxTokens = 10, Seed = 1 };

        var sizes = new List<int>();
        await foreach (GenerationUpdate update in test.Engine.GenerateAsync(request, CancellationToken.None))
        {
            if (update.Tokens.Count > 0)
            {
                sizes.Add(update.Tokens.Count);
            }
        }

        Assert.Equal(blocks, sizes);
    }
}
