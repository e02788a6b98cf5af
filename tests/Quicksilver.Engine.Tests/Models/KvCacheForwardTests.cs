using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Models;

/// <summary>
/// The forward pass with K/V cache windows (Fast-dLLM prefix and dual caches) against the no-cache path. Tolerance:
/// none — right after a refresh, with no token changed, a window computes the same fp32 operations on the same values
/// in the same fixed order as the whole-canvas pass (only where the keys are read from differs), so logits must be
/// bit-identical (0 ULP).
/// </summary>
public sealed class KvCacheForwardTests : IDisposable
{
    private const int Prompt = 9, Answer = 24, BlockStart = Prompt + 8, BlockEnd = BlockStart + 8;

    private readonly RandomTransformer _model = new(RandomCheckpoint.LLaDAConfig(layers: 3) with { KeyValueHeadCount = 2 }, seed: 21);

    public static TheoryData<string, int, int> Windows => new()
    {
        { "prefix: block and suffix", BlockStart, Prompt + Answer },
        { "dual: block only", BlockStart, BlockEnd },
        { "refresh: whole canvas", 0, Prompt + Answer },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public void ComputeLogits_WindowRightAfterRefresh_BitIdenticalToNoCache(string label, int start, int end)
    {
        int[] canvas = Canvas(seed: 1);
        int[] scored = MaskedPositions(canvas, BlockStart, BlockEnd);
        using IKvCache cache = _model.Model.AllocateKvCache(canvas.Length);

        float[] exact = _model.Model.ComputeLogits([Step(canvas, scored)]);
        float[] refreshed = _model.Model.ComputeLogits([Step(canvas, scored) with { Cache = new KvCacheWindow(cache, 0, canvas.Length) }]);
        float[] cached = _model.Model.ComputeLogits([Step(canvas, scored) with { Cache = new KvCacheWindow(cache, start, end) }]);

        Assert.Equal(exact, refreshed);
        Assert.True(exact.AsSpan().SequenceEqual(cached), $"{label}: cached logits differ from the no-cache path");
    }

    [Fact]
    public void ComputeLogits_PrefixChangedSinceRefresh_ReadsTheCachedKeys()
    {
        int[] before = Canvas(seed: 2);
        int[] after = (int[])before.Clone();
        after[3] = (after[3] + 1) % (_model.Config.VocabSize - 1);
        int[] scored = MaskedPositions(before, BlockStart, BlockEnd);
        using IKvCache cache = _model.Model.AllocateKvCache(before.Length);
        float[] exactBefore = _model.Model.ComputeLogits([Step(before, scored)]);
        _model.Model.ComputeLogits([Step(before, scored) with { Cache = new KvCacheWindow(cache, 0, before.Length) }]);

        // Position 3 lies outside the dual window, so its keys and values stay those of the refresh.
        float[] stale = _model.Model.ComputeLogits([Step(after, scored) with { Cache = new KvCacheWindow(cache, BlockStart, BlockEnd) }]);
        float[] exactAfter = _model.Model.ComputeLogits([Step(after, scored)]);

        Assert.Equal(exactBefore, stale);
        Assert.NotEqual(exactAfter, stale);
    }

    [Fact]
    public void ComputeLogits_MixedBatch_EachSequenceBitIdenticalToItAlone()
    {
        // One sequence without a cache, one in prefix mode, one in dual mode, one refreshing: different canvases,
        // blocks and windows in one forward pass.
        int[][] canvases = [Canvas(seed: 3), Canvas(seed: 4, prompt: 5, answer: 16), Canvas(seed: 5, prompt: 13, answer: 32), Canvas(seed: 6, prompt: 2, answer: 8)];
        (int Start, int End)?[] windows = [null, (13, 21), (21, 29), (0, 10)];
        int[][] scored = [MaskedPositions(canvases[0], 9, 17), MaskedPositions(canvases[1], 13, 21), MaskedPositions(canvases[2], 21, 29), MaskedPositions(canvases[3], 2, 10)];
        var aloneCaches = new List<IKvCache>();
        var batchCaches = new List<IKvCache>();
        try
        {
            ForwardSequence[] Steps(List<IKvCache> caches) => canvases.Select((canvas, s) => windows[s] is { } w
                ? Step(canvas, scored[s]) with { Cache = new KvCacheWindow(Refreshed(canvas, caches), w.Start, w.End) }
                : Step(canvas, scored[s])).ToArray();

            ForwardSequence[] alone = Steps(aloneCaches);
            ForwardSequence[] together = Steps(batchCaches);
            float[][] expected = alone.Select(step => _model.Model.ComputeLogits([step])).ToArray();

            float[] batched = _model.Model.ComputeLogits(together);

            Assert.Equal(expected.SelectMany(row => row), batched);
        }
        finally
        {
            aloneCaches.Concat(batchCaches).ToList().ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public void ComputeLogits_ScorePositionOutsideWindow_Throws()
    {
        int[] canvas = Canvas(seed: 7);
        using IKvCache cache = _model.Model.AllocateKvCache(canvas.Length);
        ForwardSequence step = Step(canvas, [BlockStart - 1]) with { Cache = new KvCacheWindow(cache, BlockStart, BlockEnd) };

        Assert.Throws<ArgumentOutOfRangeException>(() => _model.Model.ComputeLogits([step]));
    }

    [Fact]
    public void ComputeLogits_CacheSmallerThanCanvas_Throws()
    {
        int[] canvas = Canvas(seed: 8);
        using IKvCache cache = _model.Model.AllocateKvCache(canvas.Length - 1);
        ForwardSequence step = Step(canvas, [BlockStart]) with { Cache = new KvCacheWindow(cache, BlockStart, BlockEnd) };

        Assert.Throws<ArgumentException>(() => _model.Model.ComputeLogits([step]));
    }

    public void Dispose() => _model.Dispose();

    private static ForwardSequence Step(int[] canvas, int[] scored) =>
        new(canvas, scored, scored.Select(_ => new RowSampling(0f, 0, 0)).ToArray());

    private static int[] MaskedPositions(int[] canvas, int start, int end) =>
        Enumerable.Range(start, end - start).Where(p => p % 3 != 0).ToArray();

    // A prompt, then an answer of which the first 8 tokens and every third position are committed, the rest masks.
    private int[] Canvas(int seed, int prompt = Prompt, int answer = Answer)
    {
        var random = new Random(seed);
        int mask = _model.Config.MaskTokenId;
        return Enumerable.Range(0, prompt + answer)
            .Select(p => p < prompt + 8 || p % 3 == 0 ? random.Next(mask) : mask)
            .ToArray();
    }

    private IKvCache Refreshed(int[] canvas, List<IKvCache> owner)
    {
        IKvCache cache = _model.Model.AllocateKvCache(canvas.Length);
        owner.Add(cache);
        _model.Model.ComputeLogits([Step(canvas, [canvas.Length - 1]) with { Cache = new KvCacheWindow(cache, 0, canvas.Length) }]);
        return cache;
    }
}
