using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Models;

/// <summary>
/// Without a K/V cache, a block-causal model's forward pass stops at the end of the attention block of the last scored
/// row: the rows after it cannot change it. Compared with the whole-canvas pass (a refresh window of the whole canvas,
/// the same arithmetic as the untruncated no-cache path). Tolerance: none — every computed row sees the same keys in the
/// same order either way, so the logits must be bit-identical.
/// </summary>
public sealed class BlockCausalTruncationTests
{
    private const int Canvas = 41, BlockStart = 17, BlockEnd = 25;

    public static TheoryData<ModelArchitecture, int> BlockCausalModels => new()
    {
        { ModelArchitecture.Sdar, 4 },
        { ModelArchitecture.FastDllmV2, 8 },
        { ModelArchitecture.LLaDA, 6 },
        { ModelArchitecture.Dream, 6 },
    };

    [Theory]
    [MemberData(nameof(BlockCausalModels))]
    public void ComputeLogits_NoCache_StopsAtTheScoredAttentionBlockAndMatchesTheWholeCanvas(ModelArchitecture architecture, int attentionBlock)
    {
        using RandomTransformer model = new(ConfigOf(architecture, attentionBlock), seed: 31);
        int[] canvas = CanvasOf(model.Config, seed: 4);
        int[] scored = [.. Enumerable.Range(BlockStart, BlockEnd - BlockStart).Where(p => canvas[p] == model.Config.MaskTokenId)];
        ForwardSequence step = Step(canvas, scored);
        using IKvCache cache = model.Model.AllocateKvCache(Canvas);
        int lastRow = LogitShift.ScoreRow(scored.Max(), model.Config.ShiftLogits);
        int expectedRows = ((lastRow / attentionBlock) + 1) * attentionBlock;

        float[] truncated = model.Model.ComputeLogits([step]);
        float[] whole = model.Model.ComputeLogits([step with { Cache = new KvCacheWindow(cache, 0, Canvas) }]);

        Assert.Equal(expectedRows, model.Model.ComputedTokens(step));
        Assert.True(expectedRows < Canvas, "the scored block should end before the canvas does");
        Assert.True(whole.AsSpan().SequenceEqual(truncated), $"{architecture}: the truncated pass differs from the whole canvas");
    }

    [Fact]
    public void ComputeLogits_TruncatedSequenceInABatch_BitIdenticalToItAlone()
    {
        using RandomTransformer model = new(ConfigOf(ModelArchitecture.Sdar, 4), seed: 32);
        int[] probe = CanvasOf(model.Config, seed: 5);
        int[] other = CanvasOf(model.Config, seed: 6);
        ForwardSequence probeStep = Step(probe, [BlockStart + 1, BlockStart + 2]);
        float[] alone = model.Model.ComputeLogits([probeStep]);

        float[] batched = model.Model.ComputeLogits([Step(other, [Canvas - 1]), probeStep, Step(other, [3])]);

        Assert.Equal(alone, batched.AsSpan(model.Config.VocabSize, alone.Length).ToArray());
    }

    [Fact]
    public void ComputedTokens_BidirectionalModel_WholeCanvas()
    {
        using RandomTransformer model = new(RandomCheckpoint.DreamConfig(), seed: 33);
        int[] canvas = CanvasOf(model.Config, seed: 7);

        Assert.Equal(Canvas, model.Model.ComputedTokens(Step(canvas, [BlockStart])));
    }

    private static ModelConfig ConfigOf(ModelArchitecture architecture, int attentionBlock) => architecture switch
    {
        ModelArchitecture.Sdar => RandomCheckpoint.SdarConfig(attentionBlock, layers: 3),
        ModelArchitecture.FastDllmV2 => RandomCheckpoint.FastDllmV2Config(attentionBlock, layers: 3),
        ModelArchitecture.Dream => RandomCheckpoint.DreamConfig(layers: 3) with { AttentionBlockLength = attentionBlock },
        _ => RandomCheckpoint.LLaDAConfig(layers: 3) with { AttentionBlockLength = attentionBlock },
    };

    private static ForwardSequence Step(int[] canvas, int[] scored) =>
        new(canvas, scored, scored.Select(_ => new RowSampling(0f, 0, 0)).ToArray());

    // Prompt and committed tokens up to the decoding block, then every third position committed and the rest masks.
    private static int[] CanvasOf(ModelConfig config, int seed)
    {
        var random = new Random(seed);
        int mask = config.MaskTokenId;
        return [.. Enumerable.Range(0, Canvas).Select(p => p < BlockStart || p % 3 == 0 ? random.Next(mask) : mask)];
    }
}
