using System.Globalization;
using System.Text;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;

namespace Quicksilver.Bench;

/// <summary>
/// The CPU LM-head epilogue (<see cref="CpuBackend.ScoreLogits"/>) with Dream's confidences (under the tempered,
/// truncated draw distribution) against LLaDA's (under <c>softmax(logits)</c>) for the same sampling, on one block of
/// rows of random logits at Dream's vocabulary: what <see cref="RowSampling.ConfidenceFromDraw"/> costs. The two run
/// alternately in one process; each cell is the median of <see cref="Rounds"/> alternations.
/// </summary>
internal static class ScoringBenchmark
{
    private const int Rows = 32, Vocab = 151_936, Rounds = 15, Mask = 151_666;

    public static string Run(int threads)
    {
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = threads });
        var random = new Random(1);
        float[] logits = [.. Enumerable.Range(0, Rows * Vocab).Select(_ => (float)(random.NextDouble() * random.NextDouble() * 24) - 8)];
        using IDeviceBuffer buffer = backend.Allocate(Rows, Vocab, BufferKind.Logits);
        backend.Upload(logits, buffer);
        var scores = new TokenScore[Rows];
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## LM-head epilogue: Dream's confidences against LLaDA's, {Rows} rows × vocabulary {Vocab:N0}, {threads} threads");
        text.AppendLine();
        text.AppendLine("| sampling | ms, softmax(logits) confidences | ms, draw-distribution confidences | cost |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach ((string name, float temperature, double topP, int topK) in new[]
        {
            ("T 0.2, top_p 0.95 (Dream's demo)", 0.2f, 0.95, 0),
            ("T 0.2, untruncated", 0.2f, 1.0, 0),
            ("greedy, top_p 0.95", 0f, 0.95, 0),
            ("T 1, top_k 50", 1f, 1.0, 50),
        })
        {
            RowSampling[] llada = [.. Enumerable.Range(0, Rows).Select(r => new RowSampling(temperature, 7, (ulong)r, topP, topK))];
            RowSampling[] dream = [.. llada.Select(s => s with { ConfidenceFromDraw = true })];
            (double plain, double draw) = Timing.AlternateMedians(
                Rounds,
                () => backend.ScoreLogits(buffer, llada, Mask, scores),
                () => backend.ScoreLogits(buffer, dream, Mask, scores));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {plain:F2} | {draw:F2} | {draw / plain:F2}× |");
        }

        return text.ToString();
    }
}
