using System.Globalization;
using System.Text;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Models;

namespace Quicksilver.Bench;

/// <summary>
/// A block-causal model's forward pass without a K/V cache, which stops at the end of the last scored row's attention
/// block, against the same step over the whole canvas (a refresh window of the whole canvas: the untruncated pass, plus
/// writing its keys and values). For each decoding block of the answer, the blocks before it committed and it and the
/// rest masked, the two run alternately in one process (so machine load hits both alike); each cell is the median of
/// <see cref="Rounds"/> alternations after one warm-up of each, the whole table after <see cref="WarmUps"/> passes of each
/// (the first calls of a process run tier-0 code).
/// </summary>
internal static class TruncationBenchmark
{
    private const int Rounds = 9, WarmUps = 10;

    public static string Run(string folder, int threads, KvCacheSettings settings)
    {
        using var model = new BenchModel(folder, threads);
        ModelConfig config = model.Config;
        int canvasLength = settings.Prompt + settings.MaxTokens;
        using IKvCache cache = model.Transformer.AllocateKvCache(canvasLength);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Block-causal forward without a cache, truncated vs whole canvas, `{model.Name}` ({model.Shape}, attention block {config.AttentionBlockLength})");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Canvas {settings.Prompt} prompt + {settings.MaxTokens} answer tokens, decoding blocks of {settings.BlockLength}, every masked position of the block scored; median of {Rounds} alternations.");
        text.AppendLine();
        text.AppendLine("| decoding block | rows computed | ms truncated | ms whole canvas | speed-up |");
        text.AppendLine("|---:|---:|---:|---:|---:|");
        ForwardSequence first = Step(config, settings, settings.Prompt, canvasLength);
        var firstScores = new TokenScore[first.ScorePositions.Count];
        for (int i = 0; i < WarmUps; i++)
        {
            model.Transformer.Forward([first], firstScores);
            model.Transformer.Forward([first with { Cache = new KvCacheWindow(cache, 0, canvasLength) }], firstScores);
        }

        double truncatedTotal = 0, wholeTotal = 0;
        for (int blockStart = settings.Prompt; blockStart < canvasLength; blockStart += settings.BlockLength)
        {
            ForwardSequence step = Step(config, settings, blockStart, canvasLength);
            ForwardSequence whole = step with { Cache = new KvCacheWindow(cache, 0, canvasLength) };
            var scores = new TokenScore[step.ScorePositions.Count];
            (double truncated, double full) = Timing.AlternateMedians(Rounds, () => model.Transformer.Forward([step], scores), () => model.Transformer.Forward([whole], scores), warmUps: 1);
            truncatedTotal += truncated;
            wholeTotal += full;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {(blockStart - settings.Prompt) / settings.BlockLength} | {model.Transformer.ComputedTokens(step)} / {canvasLength} | {truncated:F1} | {full:F1} | {full / truncated:F2}× |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"| all | | {truncatedTotal:F1} | {wholeTotal:F1} | {wholeTotal / truncatedTotal:F2}× |");
        return text.ToString();
    }

    private static ForwardSequence Step(ModelConfig config, KvCacheSettings settings, int blockStart, int canvasLength)
    {
        var random = new Random(blockStart);
        int[] tokens = [.. Enumerable.Range(0, canvasLength).Select(p => p < blockStart ? random.Next(config.MaskTokenId) : config.MaskTokenId)];
        int[] positions = [.. Enumerable.Range(blockStart, Math.Min(settings.BlockLength, canvasLength - blockStart))];
        return new ForwardSequence(tokens, positions, positions.Select(_ => new RowSampling(0f, 0, 0)).ToArray());
    }
}
