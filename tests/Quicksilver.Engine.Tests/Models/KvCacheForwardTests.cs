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
    [InlineData(ModelArchitecture.LLaDA, false)]
    [InlineData(ModelArchitecture.LLaDA, true)]
    [InlineData(ModelArchitecture.Dream, false)]
    [InlineData(ModelArchitecture.Dream, true)]
    [InlineData(ModelArchitecture.Sdar, false)]
    [InlineData(ModelArchitecture.Sdar, true)]
    [InlineData(ModelArchitecture.FastDllmV2, false)]
    [InlineData(ModelArchitecture.FastDllmV2, true)]
    public void ComputeLogits_BlockCausalBlockChangedSinceRefresh_BitIdenticalToNoCache(ModelArchitecture architecture, bool dual)
    {
        // Attention blocks of 6 from position 0, so the decoding block [17, 25) straddles [12, 18), [18, 24) and
        // [24, 30): the window grows to [12, 30) (dual) or [12, 33) (prefix). Rows 12..16 are committed but see the
        // block's commits, rows 25..29 are masks that do too; without them the window reads their stale cache rows.
        using RandomTransformer model = Model(architecture, layers: 3, attentionBlockLength: 6);
        int[] before = CanvasOf(model, seed: 10);
        int[] after = Committed(before, model, [BlockStart, BlockStart + 2, BlockStart + 4]);
        using IKvCache cache = model.Model.AllocateKvCache(before.Length);
        model.Model.ComputeLogits([Step(before, MaskedPositions(before, BlockStart, BlockEnd)) with { Cache = new KvCacheWindow(cache, 0, before.Length) }]);
        int[] scored = MaskedPositions(after, BlockStart, BlockEnd);
        var rule = CacheWindowRule.Of(model.Config);
        (int start, int end) = (rule.Start(BlockStart), dual ? rule.End(BlockEnd, Canvas) : Canvas);

        // The narrow window first: it writes only its own rows, which the rule's window then recomputes.
        float[] narrow = model.Model.ComputeLogits([Step(after, scored) with { Cache = new KvCacheWindow(cache, BlockStart - 1, BlockEnd) }]);
        float[] cached = model.Model.ComputeLogits([Step(after, scored) with { Cache = new KvCacheWindow(cache, start, end) }]);
        float[] exact = model.Model.ComputeLogits([Step(after, scored)]);

        Assert.Equal((12, dual ? 30 : Canvas), (start, end));
        Assert.True(exact.AsSpan().SequenceEqual(cached), $"{architecture} {(dual ? "dual" : "prefix")}: cached logits differ from the no-cache path");
        Assert.False(exact.AsSpan().SequenceEqual(narrow), "a window of the block alone should read stale rows");
    }

    [Theory]
    [InlineData(ModelArchitecture.LLaDA, BlockStart)]
    [InlineData(ModelArchitecture.Dream, BlockStart - 1)]
    public void ComputeLogits_PrefixChangedSinceRefresh_ReadsTheCachedKeys(ModelArchitecture architecture, int windowStart)
    {
        using RandomTransformer model = Model(architecture, layers: 3);
        int[] before = CanvasOf(model, seed: 2);
        int[] after = (int[])before.Clone();
        after[3] = (after[3] + 1) % (model.Config.VocabSize - 1);
        int[] scored = MaskedPositions(before, BlockStart, BlockEnd);
        using IKvCache cache = model.Model.AllocateKvCache(before.Length);
        float[] exactBefore = model.Model.ComputeLogits([Step(before, scored)]);
        model.Model.ComputeLogits([Step(before, scored) with { Cache = new KvCacheWindow(cache, 0, before.Length) }]);

        // Position 3 lies outside the dual window, so its keys and values stay those of the refresh.
        float[] stale = model.Model.ComputeLogits([Step(after, scored) with { Cache = new KvCacheWindow(cache, windowStart, BlockEnd) }]);
        float[] exactAfter = model.Model.ComputeLogits([Step(after, scored)]);

        Assert.Equal(exactBefore, stale);
        Assert.NotEqual(exactAfter, stale);
    }

    [Theory]
    [InlineData(ModelArchitecture.LLaDA, 0)]
    [InlineData(ModelArchitecture.Dream, 1)]
    public void ComputeLogits_MixedBatch_EachSequenceBitIdenticalToItAlone(ModelArchitecture architecture, int lead)
    {
        // One sequence without a cache, one in prefix mode, one in dual mode, one refreshing: different canvases,
        // blocks and windows in one forward pass (Dream's windows start `lead` rows before their block).
        using RandomTransformer model = Model(architecture, layers: 3);
        int[][] canvases = [CanvasOf(model, seed: 3), CanvasOf(model, seed: 4, prompt: 5, answer: 16), CanvasOf(model, seed: 5, prompt: 13, answer: 32), CanvasOf(model, seed: 6, prompt: 2, answer: 8)];
        (int Start, int End)?[] windows = [null, (13 - lead, 21), (21 - lead, 29), (0, 10)];
        int[][] scored = [MaskedPositions(canvases[0], 9, 17), MaskedPositions(canvases[1], 13, 21), MaskedPositions(canvases[2], 21, 29), MaskedPositions(canvases[3], 2, 10)];
        var aloneCaches = new List<IKvCache>();
        var batchCaches = new List<IKvCache>();
        try
        {
            ForwardSequence[] Steps(List<IKvCache> caches) => canvases.Select((canvas, s) => windows[s] is { } w
                ? Step(canvas, scored[s]) with { Cache = new KvCacheWindow(Refreshed(model, canvas, caches), w.Start, w.End) }
                : Step(canvas, scored[s])).ToArray();

            ForwardSequence[] alone = Steps(aloneCaches);
            ForwardSequence[] together = Steps(batchCaches);
            float[][] expected = alone.Select(step => model.Model.ComputeLogits([step])).ToArray();

            float[] batched = model.Model.ComputeLogits(together);

            Assert.Equal(expected.SelectMany(row => row), batched);
        }
        finally
        {
            aloneCaches.Concat(batchCaches).ToList().ForEach(c => c.Dispose());
        }
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
