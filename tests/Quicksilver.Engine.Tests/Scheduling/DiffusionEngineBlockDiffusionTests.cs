using Quicksilver.Engine.Decoding;
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

        Assert.Equal(blocks, (await Streamed(test, request)).Sizes);
    }

    [Fact]
    public async Task GenerateAsync_FastDllmV2SubBlocksOfEight_StreamsThemAndCachesGiveTheNoCacheTokens()
    {
        // Fast-dLLM v2's own decoding: attention blocks of 32 denoised in sub-blocks of 8 with threshold 0.9. The
        // prompt of 10 leaves [10, 16) of its sub-block, then whole sub-blocks to 48, except that 32, which opens an
        // attention block, is a block of its own; the caches stay exact.
        using var test = new TestEngine(new EngineOptions(), layers: 2, architecture: ModelArchitecture.FastDllmV2, attentionBlockLength: 32);
        var request = new GenerationRequest
        {
            PromptTokens = [.. Enumerable.Range(1, 10)],
            MaxTokens = 38,
            BlockLength = 8,
            Commit = CommitRule.Threshold,
            CommitParameter = 0.9,
            Temperature = 0.7f,
            Seed = 3,
        };

        var answers = new List<(int[] Sizes, int[] Tokens)>();
        foreach (KvCacheMode mode in new[] { KvCacheMode.None, KvCacheMode.Prefix, KvCacheMode.Dual })
        {
            answers.Add(await Streamed(test, request with { KvCache = mode }));
        }

        Assert.All(answers, answer => Assert.Equal([6, 8, 8, 1, 7, 8], answer.Sizes));
        Assert.All(answers, answer => Assert.Equal(answers[0].Tokens, answer.Tokens));
    }

    [Theory]
    [InlineData(ModelArchitecture.Sdar)]
    [InlineData(ModelArchitecture.FastDllmV2)]
    public async Task GenerateAsync_SeededSamplingWithALongerBudget_KeepsTheOpeningBlocks(ModelArchitecture architecture)
    {
        // Each attention block sees only what precedes it and takes as many steps whatever the budget, so a seeded
        // answer's opening blocks must not depend on max_tokens (as an autoregressive model's opening tokens do not).
        using var test = new TestEngine(new EngineOptions(), layers: 2, architecture: architecture, attentionBlockLength: 4);
        var request = new GenerationRequest { PromptTokens = [.. Enumerable.Range(1, 8)], MaxTokens = 8, Temperature = 1.5f, Seed = 11, IgnoreEos = true };

        int[] shorter = (await Streamed(test, request)).Tokens;
        int[] longer = (await Streamed(test, request with { MaxTokens = 16 })).Tokens;

        Assert.Equal(8, shorter.Length);
        Assert.Equal(shorter, longer[..8]);
    }

    private static async Task<(int[] Sizes, int[] Tokens)> Streamed(TestEngine test, GenerationRequest request)
    {
        var sizes = new List<int>();
        var tokens = new List<int>();
        await foreach (GenerationUpdate update in test.Engine.Generate(request, CancellationToken.None))
        {
            if (update.Tokens.Count > 0)
            {
                sizes.Add(update.Tokens.Count);
                tokens.AddRange(update.Tokens);
            }
        }

        return ([.. sizes], [.. tokens]);
    }
}
