using System.Numerics.Tensors;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Decoding;

/// <summary>
/// On a block-causal model a block's refresh and its prefix windows stop where its dual window does, and the refresh
/// starts at the previous block's first attention block: the rows each step computes
/// (<see cref="DiffusionTransformer.ComputedTokens"/>, which also meters a request's share of a step) shrink, prefix
/// and dual compute the same rows, and the tokens stay those of the no-cache path.
/// </summary>
public sealed class BlockCausalCacheRowsTests
{
    private const int Prompt = 6, Answer = 10, AttentionBlock = 4;

    // SDAR: decoding blocks [6, 8), [8, 12), [12, 16) of a canvas of 16, one commit per step. The steps after a
    // refresh compute the block's attention blocks, [4, 8), [8, 12), [12, 16); refreshes run from the previous
    // block's window start to the window's end: [0, 8), [4, 12), [8, 16). Fast-dLLM v2 scores a position from the row
    // before it, so 8 and 12 are openers: blocks [6, 8), [8], [9, 12), [12], [13, 16) with windows [4, 8), [4, 8),
    // [8, 12), [8, 12), [12, 16); an opener's window computes the rows before it from final tokens, so the refreshes
    // are [0, 8), [4, 8), [8, 12), [8, 12), [12, 16). Without the clip every refresh computed 16 rows and every
    // prefix window ran to 16.
    [Theory]
    [InlineData(ModelArchitecture.Sdar, new[] { 8, 4, 8, 4, 4, 4, 8, 4, 4, 4 })]
    [InlineData(ModelArchitecture.FastDllmV2, new[] { 8, 4, 4, 4, 4, 4, 4, 4, 4, 4 })]
    public void Decode_CachedModes_ComputeTheClippedRowsAndGiveTheNoCacheTokens(ModelArchitecture architecture, int[] expectedRows)
    {
        ModelConfig config = architecture == ModelArchitecture.Sdar
            ? RandomCheckpoint.SdarConfig(AttentionBlock, layers: 3)
            : RandomCheckpoint.FastDllmV2Config(AttentionBlock, layers: 3);
        using RandomTransformer model = new(config, seed: 41);

        (int[] exactTokens, int[] exactRows) = Decode(model, KvCacheMode.None);
        (int[] prefixTokens, int[] prefixRows) = Decode(model, KvCacheMode.Prefix);
        (int[] dualTokens, int[] dualRows) = Decode(model, KvCacheMode.Dual);

        Assert.Equal(expectedRows, prefixRows);
        Assert.Equal(expectedRows, dualRows);
        Assert.Equal(exactTokens, prefixTokens);
        Assert.Equal(exactTokens, dualTokens);
        Assert.True(prefixRows.Sum() < exactRows.Sum(), $"cached steps computed {prefixRows.Sum()} rows, the no-cache ones {exactRows.Sum()}");
    }

    // Fast-dLLM v2 takes the token that opens an attention block greedily from the finished block's last row, and
    // denoises the rest of the block with it in place, whatever the temperature.
    [Theory]
    [InlineData(KvCacheMode.None)]
    [InlineData(KvCacheMode.Dual)]
    public void Decode_FastDllmV2Sampling_OpenersAreTheArgmaxOfTheRowBefore(KvCacheMode mode)
    {
        using RandomTransformer model = new(RandomCheckpoint.FastDllmV2Config(AttentionBlock, layers: 3), seed: 41);

        int[] sampled = Decode(model, mode, temperature: 1f).Canvas;
        int[] greedy = Decode(model, mode, temperature: 0f).Canvas;

        int[] openers = [8, 12];
        float[] logits = model.Model.ComputeLogits([new ForwardSequence(sampled, openers, [new RowSampling(0f, 0, 0), new RowSampling(0f, 0, 0)])]);
        int vocab = model.Config.VocabSize;
        Assert.Equal(openers.Select((_, i) => ArgMax(logits.AsSpan(i * vocab, vocab))), openers.Select(p => sampled[p]));
        Assert.NotEqual(greedy, sampled);
    }

    private static int ArgMax(ReadOnlySpan<float> values) => values.IndexOf(TensorPrimitives.Max(values));

    private static (int[] Canvas, int[] Rows) Decode(RandomTransformer model, KvCacheMode mode, float temperature = 0f)
    {
        ModelConfig config = model.Config;
        var plan = DiffusionPlan.Create(DecodingBlocks.For(config, Prompt, null, AttentionBlock), Answer, Answer, config.Architecture);
        var settings = new DecodingSettings(temperature, 1, RemaskingStrategy.LowConfidence, KvCache: mode);
        var sequence = new DenoisingSequence([.. Enumerable.Range(1, Prompt)], plan, settings, config.MaskTokenId, new HashSet<int>(), CacheWindowRule.Of(config));
        using IKvCache? cache = mode == KvCacheMode.None ? null : model.Model.AllocateKvCache(Prompt + Answer);
        var rows = new List<int>();
        while (sequence.Finish is null)
        {
            ForwardSequence step = sequence.NextStep(cache);
            rows.Add(model.Model.ComputedTokens(step));
            var scores = new TokenScore[step.ScorePositions.Count];
            model.Model.Forward([step], scores);
            sequence.Commit(step, scores);
        }

        return (sequence.Canvas.ToArray(), [.. rows]);
    }
}
