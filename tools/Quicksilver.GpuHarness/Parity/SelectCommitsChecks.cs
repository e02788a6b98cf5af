using System.Diagnostics;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>
/// The device-side commit selection (<c>kernels/select_commits.cu</c> behind <c>ScoreAndSelect</c>), two ways:
/// <list type="bullet">
/// <item>against <see cref="CommitSelection"/> run on the device's own token scores (<c>ScoreLogits</c>): the same
/// counts, rows, tokens and log-probability bits for every sequence, exactly — every strategy and rule, a third of the
/// rows duplicated so that ties fall to the position, segments of 0 to 1024 rows;</item>
/// <item>against the CPU backend's <c>ScoreAndSelect</c> on logits whose rows are far apart (zeros but one peak of
/// its own height, the heights of a sequence spread over [4, 16], so that p, the margin and the entropy of any two rows
/// differ by far more than fp32 rounding): the same commits, log-probabilities within
/// <see cref="Tolerance.LogProbability"/>.</item>
/// </list>
/// A note gives the time of one <c>ScoreAndSelect</c> against <c>ScoreLogits</c> alone on the first batch.
/// </summary>
internal static class SelectCommitsChecks
{
    private const int Vocab = 32000;
    private const int Mask = 31999;

    private static readonly (RemaskingStrategy Remasking, CommitRule Rule, double Parameter)[] Rules =
    [
        (RemaskingStrategy.LowConfidence, CommitRule.Schedule, 0),
        (RemaskingStrategy.LowConfidence, CommitRule.Threshold, 0.3),
        (RemaskingStrategy.LowConfidence, CommitRule.Factor, 1.5),
        (RemaskingStrategy.Margin, CommitRule.Schedule, 0),
        (RemaskingStrategy.Margin, CommitRule.Threshold, 0.2),
        (RemaskingStrategy.Entropy, CommitRule.Schedule, 0),
        (RemaskingStrategy.Entropy, CommitRule.Factor, 3.0),
        (RemaskingStrategy.Random, CommitRule.Schedule, 0),
        (RemaskingStrategy.Random, CommitRule.Threshold, 0.5),
    ];

    public static void Run(ParityContext c)
    {
        AgainstReferenceOnDeviceScores(c, [1, 32, 0, 200, 1024, 5, 77, 33, 64, 2, 31]);
        AgainstCpuBackend(c, [3, 32, 17, 1, 100, 8, 50, 9, 12, 256]);
    }

    private static void AgainstReferenceOnDeviceScores(ParityContext c, int[] lengths)
    {
        Batch batch = Batch.Make(c.Data, lengths, ties: true);
        using IDeviceBuffer logits = ParityContext.Input(c.Device, batch.Logits, Vocab, BufferKind.Logits);
        var scores = new TokenScore[batch.Rows];
        var watch = Stopwatch.StartNew();
        c.Device.ScoreLogits(logits, batch.Sampling, Mask, scores);
        double scoreMs = watch.Elapsed.TotalMilliseconds;
        var expected = new CommittedToken[batch.Rows];
        var expectedCounts = new int[lengths.Length];
        CommitSelection.SelectBatch(scores, batch.Positions, batch.Offsets, batch.Policies, expected, expectedCounts);

        watch.Restart();
        (CommittedToken[] actual, int[] counts) = batch.Select(c.Device, logits);
        double selectMs = watch.Elapsed.TotalMilliseconds;

        long mismatches = 0;
        string? first = null;
        for (int s = 0; s < lengths.Length; s++)
        {
            int o = batch.Offsets[s];
            bool same = counts[s] == expectedCounts[s] && expected.AsSpan(o, counts[s]).SequenceEqual(actual.AsSpan(o, counts[s]));
            if (!same)
            {
                mismatches++;
                first ??= $"sequence {s} ({lengths[s]} rows, {batch.Policies[s].Remasking}/{batch.Policies[s].Rule}): reference {expectedCounts[s]} commits [{Describe(expected, o, expectedCounts[s])}], device {counts[s]} [{Describe(actual, o, counts[s])}]";
            }
        }

        c.Metrics.Add(Comparison.Count($"select_commits vs CommitSelection on the device's scores: sequences ({batch.Rows} rows, {expectedCounts.Sum()} commits)", lengths.Length, mismatches, first));
        c.Notes.Add($"{batch.Rows} rows x vocab {Vocab}: ScoreLogits (scores downloaded) {scoreMs:F2} ms, ScoreAndSelect (commits downloaded) {selectMs:F2} ms, wall clock, first calls");
    }

    private static void AgainstCpuBackend(ParityContext c, int[] lengths)
    {
        Batch batch = Batch.Make(c.Data, lengths, ties: false);
        using IDeviceBuffer onDevice = ParityContext.Input(c.Device, batch.Logits, Vocab, BufferKind.Logits);
        using IDeviceBuffer onCpu = ParityContext.Input(c.Cpu, batch.Logits, Vocab, BufferKind.Logits);
        (CommittedToken[] expected, int[] expectedCounts) = batch.Select(c.Cpu, onCpu);
        (CommittedToken[] actual, int[] counts) = batch.Select(c.Device, onDevice);

        long mismatches = 0;
        string? first = null;
        var expectedLogP = new List<float>();
        var actualLogP = new List<float>();
        for (int s = 0; s < lengths.Length; s++)
        {
            int o = batch.Offsets[s];
            bool same = counts[s] == expectedCounts[s];
            for (int k = 0; same && k < counts[s]; k++)
            {
                same = expected[o + k].Row == actual[o + k].Row && expected[o + k].Token == actual[o + k].Token;
                expectedLogP.Add(expected[o + k].LogProbability);
                actualLogP.Add(actual[o + k].LogProbability);
            }

            if (!same)
            {
                mismatches++;
                first ??= $"sequence {s} ({batch.Policies[s].Remasking}/{batch.Policies[s].Rule}): cpu {expectedCounts[s]} commits [{Describe(expected, o, expectedCounts[s])}], device {counts[s]} [{Describe(actual, o, counts[s])}]";
            }
        }

        c.Metrics.Add(Comparison.Count($"ScoreAndSelect vs the CPU backend, separated rows: sequences ({batch.Rows} rows)", lengths.Length, mismatches, first));
        c.Compare("ScoreAndSelect vs the CPU backend: committed log-probabilities", expectedLogP.ToArray(), actualLogP.ToArray(), Tolerance.LogProbability);
    }

    private static string Describe(CommittedToken[] commits, int offset, int count) =>
        string.Join(", ", commits.Skip(offset).Take(Math.Min(count, 8)).Select(t => $"{t.Row}:{t.Token}")) + (count > 8 ? ", …" : string.Empty);

    private sealed record Batch(float[] Logits, RowSampling[] Sampling, int[] Positions, int[] Offsets, CommitPolicy[] Policies)
    {
        public int Rows => Offsets[^1];

        /// <summary>
        /// With <paramref name="ties"/>: random rows, a third copying an earlier row and its sampling (identical scores),
        /// some sampled at T = 0.8. Without: zeros but one peak per row, greedy, the heights of a sequence evenly
        /// spread over [4, 16]: where the entropy is flattest (height 4) one step still moves it by ≥ 3e-4, far above
        /// the fp32 rounding of a 32000-term Σ p log p (heights 0.1 apart near 0.5 moved it ~1e-5, and the entropy
        /// rule's order flipped between the backends on the CPU emulator).
        /// </summary>
        public static Batch Make(RandomData data, int[] lengths, bool ties)
        {
            int[] offsets = new int[lengths.Length + 1];
            for (int s = 0; s < lengths.Length; s++)
            {
                offsets[s + 1] = offsets[s] + lengths[s];
            }

            int rows = offsets[^1];
            float[] logits = ties ? data.Logits(rows * Vocab, 2f) : new float[rows * Vocab];
            var sampling = new RowSampling[rows];
            var positions = new int[rows];
            var policies = new CommitPolicy[lengths.Length];
            for (int s = 0; s < lengths.Length; s++)
            {
                int first = offsets[s], n = lengths[s];
                int[] canvas = Enumerable.Range(10, n + 20).OrderBy(_ => data.Next(int.MaxValue)).Take(n).ToArray();
                int[] rank = Enumerable.Range(0, n).OrderBy(_ => data.Next(int.MaxValue)).ToArray();
                for (int i = 0; i < n; i++)
                {
                    int r = first + i;
                    positions[r] = canvas[i];
                    Span<float> row = logits.AsSpan(r * Vocab, Vocab);
                    int peak = (r * 131) % (Vocab - 1);
                    if (!ties)
                    {
                        row[peak] = 4f + (12f * rank[i] / Math.Max(1, n - 1));
                    }
                    else if (i > 0 && data.Next(3) == 0)
                    {
                        int copied = first + data.Next(i);
                        logits.AsSpan(copied * Vocab, Vocab).CopyTo(row);
                        sampling[r] = sampling[copied];
                    }
                    else
                    {
                        row[peak] += 6f;
                        sampling[r] = new RowSampling(data.Next(3) == 0 ? 0.8f : 0f, (ulong)s, (ulong)r);
                    }
                }

                (RemaskingStrategy remasking, CommitRule rule, double parameter) = Rules[s % Rules.Length];
                policies[s] = new CommitPolicy(remasking, rule, parameter, data.Next(n + 2), (ulong)data.Next(int.MaxValue) * 2654435761UL, data.Next(1000));
            }

            return new Batch(logits, sampling, positions, offsets, policies);
        }

        public (CommittedToken[] Committed, int[] Counts) Select(IComputeBackend backend, IDeviceBuffer logits)
        {
            var committed = new CommittedToken[Rows];
            var counts = new int[Policies.Length];
            backend.ScoreAndSelect(logits, Sampling, Mask, Positions, Offsets, Policies, committed, counts);
            return (committed, counts);
        }
    }
}
