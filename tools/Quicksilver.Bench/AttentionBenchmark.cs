using System.Globalization;
using System.Text;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;

namespace Quicksilver.Bench;

/// <summary>
/// CPU grouped-query attention (Dream-7B's heads: 28 query heads over 4 key/value heads of 128) against its peer in
/// the same process: the same call with every key/value head copied for each of its 7 query heads, i.e. plain
/// multi-head attention over the same numbers. The outputs are identical (checked); the difference is that the grouped
/// call packs each key/value head once for the query heads sharing it. Query windows of 4 rows (an SDAR block), 32 (a
/// dual-cache block) and the whole canvas, over 1024 keys, at 1 and 4 sequences, the two measured alternately.
/// </summary>
internal static class AttentionBenchmark
{
    // The first shape warms up long enough for the JIT's tier-1 code (a method is promoted after 30 calls), the others
    // briefly; then alternating rounds.
    private const int Heads = 28, KvHeads = 4, HeadDim = 128, Keys = 1024, Rounds = 15, FirstWarmUps = 40, WarmUps = 3;

    public static string Run(int threads)
    {
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = threads });
        var text = new StringBuilder($"""
            ## CPU grouped-query attention, {Heads} query heads over {KvHeads} key/value heads of {HeadDim}, {Keys} keys per sequence

            Peer: the same attention with each key/value head copied for its {Heads / KvHeads} query heads (multi-head layout, same output).

            | sequences | query rows each | grouped (ms) | copied per query head (ms) | speed-up |
            |---:|---:|---:|---:|---:|

            """);
        int warmUps = FirstWarmUps;
        foreach (int sequences in new[] { 1, 4 })
        {
            foreach (int queries in new[] { 4, 32, Keys })
            {
                (double grouped, double copied) = Measure(backend, sequences, queries, warmUps);
                warmUps = WarmUps;
                text.AppendLine(CultureInfo.InvariantCulture, $"| {sequences} | {queries} | {grouped:F2} | {copied:F2} | {copied / grouped:F2}× |");
            }
        }

        return text.ToString();
    }

    private static (double Grouped, double Copied) Measure(CpuBackend backend, int sequences, int queries, int warmUps)
    {
        var random = new Random(queries + sequences);
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        float[] q = Values(sequences * queries * Heads * HeadDim), k = Values(sequences * Keys * KvHeads * HeadDim), v = Values(sequences * Keys * KvHeads * HeadDim);
        var layout = new AttentionLayout(
            [.. Enumerable.Range(0, sequences + 1).Select(s => s * queries)],
            [.. Enumerable.Range(0, sequences).Select(s => new AttentionKeys(s * Keys, Keys))]);

        using IDeviceBuffer queryRows = Upload(backend, q, Heads * HeadDim);
        using IDeviceBuffer keys = Upload(backend, k, KvHeads * HeadDim), values = Upload(backend, v, KvHeads * HeadDim);
        using IDeviceBuffer copiedKeys = Upload(backend, PerQueryHead(k), Heads * HeadDim), copiedValues = Upload(backend, PerQueryHead(v), Heads * HeadDim);
        using IDeviceBuffer groupedOut = backend.Allocate(q.Length / (Heads * HeadDim), Heads * HeadDim);
        using IDeviceBuffer copiedOut = backend.Allocate(q.Length / (Heads * HeadDim), Heads * HeadDim);

        (double grouped, double copied) = Timing.AlternateMedians(
            Rounds,
            () => backend.Attention(queryRows, keys, values, layout, Heads, KvHeads, HeadDim, groupedOut),
            () => backend.Attention(queryRows, copiedKeys, copiedValues, layout, Heads, Heads, HeadDim, copiedOut),
            warmUps);
        var a = new float[q.Length];
        var b = new float[q.Length];
        backend.Download(groupedOut, a);
        backend.Download(copiedOut, b);
        if (!a.AsSpan().SequenceEqual(b))
        {
            throw new InvalidOperationException("Grouped and copied attention disagree: the benchmark compares different arithmetic.");
        }

        return (grouped, copied);
    }

    /// <summary>Rows of <see cref="KvHeads"/> heads rewritten with each head repeated for its query heads.</summary>
    private static float[] PerQueryHead(float[] rows)
    {
        int group = Heads / KvHeads, count = rows.Length / (KvHeads * HeadDim);
        var copied = new float[count * Heads * HeadDim];
        for (int r = 0; r < count; r++)
        {
            for (int h = 0; h < Heads; h++)
            {
                rows.AsSpan(((r * KvHeads) + (h / group)) * HeadDim, HeadDim).CopyTo(copied.AsSpan(((r * Heads) + h) * HeadDim));
            }
        }

        return copied;
    }

    private static IDeviceBuffer Upload(CpuBackend backend, float[] data, int columns)
    {
        IDeviceBuffer buffer = backend.Allocate(data.Length / columns, columns);
        backend.Upload(data, buffer);
        return buffer;
    }
}
