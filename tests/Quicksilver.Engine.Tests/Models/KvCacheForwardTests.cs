using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Models;

/// <summary>
/// The forward pass with K/V cache windows (Fast-dLLM prefix and dual caches) against the no-cache path, for LLaDA
/// and for Dream, whose windows start one row before the block (that row scores the block's first position), and for
/// the block-diffusion families SDAR (q/k norms, unshifted) and Fast-dLLM v2 (shifted).
/// Tolerance: none — right after a refresh, with no token changed, a window computes the same fp32 operations on the
/// same values in the same fixed order as the whole-canvas pass (only where the keys are read from differs), so logits
/// must be bit-identical (0 ULP). The same holds on a one-layer model after the block changed, where every cached key
/// and value depends only on its own token and position, and on a block-causal model of any depth, whose windows
/// cover whole attention blocks (<see cref="CacheWindowRule"/>).
/// </summary>
public sealed class KvCacheForwardTests
{
    private const int Prompt = 9, Answer = 24, BlockStart = Prompt + 8, BlockEnd = BlockStart + 8, Canvas = Prompt + Answer;

    public static TheoryData<ModelArchitecture, string, int, int> Windows => new()
    {
        { ModelArchitecture.LLaDA, "prefix: block and suffix", BlockStart, Canvas },
        { ModelArchitecture.LLaDA, "dual: block only", BlockStart, BlockEnd },
        { ModelArchitecture.LLaDA, "refresh: whole canvas", 0, Canvas },
        { ModelArchitecture.Dream, "prefix: the row before the block, block and suffix", BlockStart - 1, Canvas },
        { ModelArchitecture.Dream, "dual: the row before the block and the block", BlockStart - 1, BlockEnd },
        { ModelArchitecture.Dream, "refresh: whole canvas", 0, Canvas },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public void ComputeLogits_WindowRightAfterRefresh_BitIdenticalToNoCache(ModelArchitecture architecture, string label, int start, int end)
    {
        using RandomTransformer model = Model(architecture, layers: 3);
        int[] canvas = CanvasOf(model, seed: 1);
        int[] scored = MaskedPositions(canvas, BlockStart, BlockEnd);
        using IKvCache cache = model.Model.AllocateKvCache(canvas.Length);

        float[] exact = model.Model.ComputeLogits([Step(canvas, scored)]);
        float[] refreshed = model.Model.ComputeLogits([Step(canvas, scored) with { Cache = new KvCacheWindow(cache, 0, canvas.Length) }]);
        float[] cached = model.Model.ComputeLogits([Step(canvas, scored) with { Cache = new KvCacheWindow(cache, start, end) }]);

        Assert.Equal(exact, refreshed);
        Assert.True(exact.AsSpan().SequenceEqual(cached), $"{architecture} {label}: cached logits differ from the no-cache path");
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public void ComputeLogits_OneLayerBlockChangedSinceRefresh_BitIdenticalToNoCache(ModelArchitecture architecture, string label, int start, int end)
    {
        using RandomTransformer model = Model(architecture, layers: 1);
        int[] before = CanvasOf(model, seed: 9);
        int[] after = Committed(before, model, [BlockStart, BlockStart + 2, BlockStart + 4]);
        using IKvCache cache = model.Model.AllocateKvCache(before.Length);
        model.Model.ComputeLogits([Step(before, MaskedPositions(before, BlockStart, BlockEnd)) with { Cache = new KvCacheWindow(cache, 0, before.Length) }]);
        int[] scored = MaskedPositions(after, BlockStart, BlockEnd);

        float[] cached = model.Model.ComputeLogits([Step(after, scored) with { Cache = new KvCacheWindow(cache, start, end) }]);
        float[] exact = model.Model.ComputeLogits([Step(after, scored)]);

        Assert.True(exact.AsSpan().SequenceEqual(cached), $"{architecture} {label}: cached logits differ from the no-cache path");
    }

    [Theory]
    [InlineData(ModelArchitecture.LLaDA)]
    [InlineData(ModelArchitecture.Dream)]
    [InlineData(ModelArchitecture.Sdar)]
    [InlineData(ModelArchitecture.FastDllmV2)]
    public void ComputeLogits_BlockCausalBlockChangedSinceClippedRefresh_BitIdenticalToNoCache(ModelArchitecture architecture)
    {
        // Attention blocks of 6 from position 0, so the decoding block [17, 25) straddles [12, 18), [18, 24) and
        // [24, 30): the window grows to [12, 30), and the refresh stops at 30 too. Rows 12..16 are committed but see
        // the block's commits, rows 25..29 are masks that do too; without them the window reads their stale cache rows.
        // With shifted logits (Dream's rows, Fast-dLLM v2) row 23 scores position 24 and no row before 24 sees a later
        // one, so the window is [12, 24). Every cache row first holds another canvas's keys: the rows after the window
        // are never read, so they may stay stale.
        using RandomTransformer model = Model(architecture, layers: 3, attentionBlockLength: 6);
        int[] before = CanvasOf(model, seed: 10);
        int[] after = Committed(before, model, [BlockStart, BlockStart + 2, BlockStart + 4]);
        var owner = new List<IKvCache>();
        IKvCache cache = Refreshed(model, CanvasOf(model, seed: 11), owner);
        var rule = CacheWindowRule.Of(model.Config);
        (int start, int end, int readEnd) = (rule.Start(BlockStart), rule.End(BlockEnd, Canvas), rule.ReadEnd(BlockEnd, Canvas));
        model.Model.ComputeLogits([Step(before, MaskedPositions(before, BlockStart, BlockEnd)) with { Cache = new KvCacheWindow(cache, 0, readEnd) }]);
        int[] scored = MaskedPositions(after, BlockStart, BlockEnd);

        // The narrow window first: it writes only its own rows, which the rule's window then recomputes.
        float[] narrow = model.Model.ComputeLogits([Step(after, scored) with { Cache = new KvCacheWindow(cache, BlockStart - 1, BlockEnd) }]);
        float[] cached = model.Model.ComputeLogits([Step(after, scored) with { Cache = new KvCacheWindow(cache, start, end) }]);
        float[] exact = model.Model.ComputeLogits([Step(after, scored)]);
        owner.ForEach(c => c.Dispose());

        int windowEnd = model.Config.ShiftLogits ? 24 : 30;
        Assert.Equal((12, windowEnd, windowEnd), (start, end, readEnd));
        Assert.True(exact.AsSpan().SequenceEqual(cached), $"{architecture}: cached logits differ from the no-cache path");
        Assert.False(exact.AsSpan().SequenceEqual(narrow), "a window of the block alone should read stale rows");
    }

    [Theory]
    [InlineData(ModelArchitecture.LLaDA, BlockStart - 1)]
    [InlineData(ModelArchitecture.Dream, BlockStart)]
    public void ComputeLogits_ScoreRowOutsideWindow_Throws(ModelArchitecture architecture, int scored)
    {
        // Dream scores the block's first position from the row before it: a window that starts at the block lacks it.
        using RandomTransformer model = Model(architecture, layers: 1);
        int[] canvas = CanvasOf(model, seed: 7);
        using IKvCache cache = model.Model.AllocateKvCache(canvas.Length);
        ForwardSequence step = Step(canvas, [scored]) with { Cache = new KvCacheWindow(cache, BlockStart, BlockEnd) };

        Assert.Throws<ArgumentOutOfRangeException>(() => model.Model.ComputeLogits([step]));
    }

    [Fact]
    public void ComputeLogits_CacheSmallerThanCanvas_Throws()
    {
        using RandomTransformer model = Model(ModelArchitecture.LLaDA, layers: 1);
        int[] canvas = CanvasOf(model, seed: 8);
        using IKvCache cache = model.Model.AllocateKvCache(canvas.Length - 1);
        ForwardSequence step = Step(canvas, [BlockStart]) with { Cache = new KvCacheWindow(cache, BlockStart, BlockEnd) };

        Assert.Throws<ArgumentException>(() => model.Model.ComputeLogits([step]));
    }

    private static RandomTransformer Model(ModelArchitecture architecture, int layers, int attentionBlockLength = 0) => new(
        architecture switch
        {
            ModelArchitecture.Dream => RandomCheckpoint.DreamConfig(layers: layers) with { AttentionBlockLength = attentionBlockLength },
            ModelArchitecture.Sdar => RandomCheckpoint.SdarConfig(attentionBlockLength, layers),
            ModelArchitecture.FastDllmV2 => RandomCheckpoint.FastDllmV2Config(attentionBlockLength, layers),
            _ => RandomCheckpoint.LLaDAConfig(layers: layers) with { KeyValueHeadCount = 2, AttentionBlockLength = attentionBlockLength },
        },
        seed: 21);

    private static ForwardSequence Step(int[] canvas, int[] scored) =>
        new(canvas, scored, scored.Select(_ => new RowSampling(0f, 0, 0)).ToArray());

    private static int[] MaskedPositions(int[] canvas, int start, int end) =>
        Enumerable.Range(start, end - start).Where(p => p % 3 != 0).ToArray();

    // A prompt, then an answer of which the first 8 tokens and every third position are committed, the rest masks.
    private static int[] CanvasOf(RandomTransformer model, int seed, int prompt = Prompt, int answer = Answer)
    {
        var random = new Random(seed);
        int mask = model.Config.MaskTokenId;
        return Enumerable.Range(0, prompt + answer)
            .Select(p => p < prompt + 8 || p % 3 == 0 ? random.Next(mask) : mask)
            .ToArray();
    }

    // The canvas with tokens committed at the masked ones of `positions`, as a denoising step does.
    private static int[] Committed(int[] canvas, RandomTransformer model, int[] positions)
    {
        int[] after = (int[])canvas.Clone();
        foreach (int p in positions.Where(p => canvas[p] == model.Config.MaskTokenId))
        {
            after[p] = (p * 7) % model.Config.MaskTokenId;
        }

        Assert.NotEqual(canvas, after);
        return after;
    }

    private static IKvCache Refreshed(RandomTransformer model, int[] canvas, List<IKvCache> owner)
    {
        IKvCache cache = model.Model.AllocateKvCache(canvas.Length);
        owner.Add(cache);
        model.Model.ComputeLogits([Step(canvas, [canvas.Length - 1]) with { Cache = new KvCacheWindow(cache, 0, canvas.Length) }]);
        return cache;
    }
}
