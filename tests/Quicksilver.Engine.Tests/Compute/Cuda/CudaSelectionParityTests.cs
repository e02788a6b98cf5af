using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

/// <summary>
/// <c>select_commits.cu</c> through <see cref="CudaBackend.ScoreAndSelect"/> (skipped without a device): against
/// <see cref="CommitSelection"/> run on the device's own scores it must agree exactly (same counts, rows, tokens and
/// log-probability bits); against <see cref="CpuBackend"/> on logits without near-ties, the same commits with
/// log-probabilities within 1e-4.
/// </summary>
public sealed class CudaSelectionParityTests : IDisposable
{
    private const int Vocab = 3000;
    private const int Mask = 7;

    private static readonly (RemaskingStrategy Remasking, CommitRule Rule, double Parameter)[] Policies =
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

    private readonly CpuBackend cpu = new(new CpuBackendOptions { Threads = 2 });
    private readonly Lazy<CudaBackend> gpu = new(() => new CudaBackend(new CudaBackendOptions { SynchronizeEachLaunch = true, PrecompileKernels = false }));
    private readonly Random random = new(Environment.TickCount);

    private CudaBackend Gpu => gpu.Value;

    public void Dispose()
    {
        if (gpu.IsValueCreated)
        {
            gpu.Value.Dispose();
        }

        cpu.Dispose();
    }

    [CudaFact]
    public void ScoreAndSelect_EveryStrategyAndRuleWithTies_EqualsCommitSelectionOnTheDeviceScores()
    {
        int[] lengths = [1, 32, 0, 200, CudaBackend.SelectionRowLimit, 5, 77, 33, 64];
        Batch batch = MakeBatch(lengths, ties: true);
        using IDeviceBuffer logits = Upload(Gpu, batch.Logits);
        var scores = new TokenScore[batch.Rows];
        Gpu.ScoreLogits(logits, batch.Sampling, Mask, scores);
        (CommittedToken[] expected, int[] expectedCounts) = Reference(scores, batch);

        (CommittedToken[] actual, int[] counts) = Select(Gpu, logits, batch);

        Assert.Equal(expectedCounts, counts);
        for (int s = 0; s < lengths.Length; s++)
        {
            Assert.Equal(expected.AsSpan(batch.Offsets[s], counts[s]).ToArray(), actual.AsSpan(batch.Offsets[s], counts[s]).ToArray());
        }
    }

    [CudaFact]
    public void ScoreAndSelect_ClearlySeparatedRows_SameCommitsAsCpuBackend()
    {
        int[] lengths = [3, 32, 17, 1, 100, 8, 50, 9, 12];
        Batch batch = MakeBatch(lengths, ties: false);
        using IDeviceBuffer onGpu = Upload(Gpu, batch.Logits), onCpu = Upload(cpu, batch.Logits);

        (CommittedToken[] expected, int[] expectedCounts) = Select(cpu, onCpu, batch);
        (CommittedToken[] actual, int[] counts) = Select(Gpu, onGpu, batch);

        Assert.Equal(expectedCounts, counts);
        for (int s = 0; s < lengths.Length; s++)
        {
            for (int k = 0; k < counts[s]; k++)
            {
                CommittedToken e = expected[batch.Offsets[s] + k], a = actual[batch.Offsets[s] + k];
                Assert.Equal((e.Row, e.Token), (a.Row, a.Token));
                Assert.Equal(e.LogProbability, a.LogProbability, 1e-4f);
            }
        }
    }

    [CudaFact]
    public void ScoreAndSelect_SequenceOverTheRowLimit_ThrowsNamingTheLimit()
    {
        Batch batch = MakeBatch([4, CudaBackend.SelectionRowLimit + 1], ties: false);
        using IDeviceBuffer logits = Upload(Gpu, batch.Logits);

        var ex = Assert.Throws<ArgumentException>(() => Select(Gpu, logits, batch));

        Assert.Contains($"at most {CudaBackend.SelectionRowLimit} rows per sequence", ex.Message, StringComparison.Ordinal);
        Assert.Equal(CudaBackend.SelectionRowLimit, Gpu.MaxSelectionRows);
    }

    [CudaFact]
    public void ScoreAndSelect_NoRows_CountsAreZero()
    {
        Batch batch = MakeBatch([0, 0], ties: false);
        using IDeviceBuffer logits = Gpu.Allocate(4, Vocab, BufferKind.Logits);
        logits.Rows = 0;

        (_, int[] counts) = Select(Gpu, logits, batch);

        Assert.Equal(new[] { 0, 0 }, counts);
    }

    private static (CommittedToken[] Committed, int[] Counts) Reference(TokenScore[] scores, Batch batch)
    {
        var committed = new CommittedToken[batch.Rows];
        var counts = new int[batch.Policies.Length];
        CommitSelection.SelectBatch(scores, batch.Positions, batch.Offsets, batch.Policies, committed, counts);
        return (committed, counts);
    }

    private static (CommittedToken[] Committed, int[] Counts) Select(IComputeBackend backend, IDeviceBuffer logits, Batch batch)
    {
        var committed = new CommittedToken[batch.Rows];
        var counts = new int[batch.Policies.Length];
        backend.ScoreAndSelect(logits, batch.Sampling, Mask, batch.Positions, batch.Offsets, batch.Policies, committed, counts);
        return (committed, counts);
    }

    private static IDeviceBuffer Upload(IComputeBackend backend, float[] logits)
    {
        IDeviceBuffer buffer = backend.Allocate(Math.Max(1, logits.Length / Vocab), Vocab, BufferKind.Logits);
        backend.Upload(logits, buffer);
        return buffer;
    }

    /// <summary>
    /// Logits for sequences of <paramref name="lengths"/> rows. With <paramref name="ties"/>, random rows of which a third
    /// copy an earlier row with its sampling (identical scores, so the order falls to the position), some sampled at
    /// T = 0.8; without, every row is zeros but one peak of its own height (no near-ties between rows), greedy.
    /// </summary>
    private Batch MakeBatch(int[] lengths, bool ties)
    {
        int[] offsets = new int[lengths.Length + 1];
        for (int s = 0; s < lengths.Length; s++)
        {
            offsets[s + 1] = offsets[s] + lengths[s];
        }

        int rows = offsets[^1];
        var logits = new float[rows * Vocab];
        var sampling = new RowSampling[rows];
        var positions = new int[rows];
        var policies = new CommitPolicy[lengths.Length];
        for (int s = 0; s < lengths.Length; s++)
        {
            int first = offsets[s], n = lengths[s];
            int[] canvas = Enumerable.Range(10, n + 20).OrderBy(_ => random.Next()).Take(n).ToArray();
            int[] rank = Enumerable.Range(0, n).OrderBy(_ => random.Next()).ToArray();
            for (int i = 0; i < n; i++)
            {
                int r = first + i;
                positions[r] = canvas[i];
                Span<float> row = logits.AsSpan(r * Vocab, Vocab);
                int peak = (r * 31) % Vocab == Mask ? Mask + 1 : (r * 31) % Vocab;
                if (!ties)
                {
                    // Zeros but one peak, 0.1 apart from row to row: p, margin and Σ p log p differ by far more than fp32 noise.
                    row[peak] = 0.5f + (0.1f * rank[i]);
                    continue;
                }

                if (i > 0 && random.Next(3) == 0)
                {
                    int copied = first + random.Next(i);
                    logits.AsSpan(copied * Vocab, Vocab).CopyTo(row);
                    sampling[r] = sampling[copied];
                    continue;
                }

                for (int v = 0; v < Vocab; v++)
                {
                    row[v] = (float)((random.NextDouble() * 2) - 1);
                }

                row[peak] = 4f + (float)random.NextDouble();
                sampling[r] = new RowSampling(random.Next(3) == 0 ? 0.8f : 0f, (ulong)s, (ulong)r);
            }

            (RemaskingStrategy remasking, CommitRule rule, double parameter) = Policies[s % Policies.Length];
            policies[s] = new CommitPolicy(remasking, rule, parameter, random.Next(n + 2), (ulong)random.NextInt64(), random.Next(1000));
        }

        return new Batch(logits, sampling, positions, offsets, policies);
    }

    private sealed record Batch(float[] Logits, RowSampling[] Sampling, int[] Positions, int[] Offsets, CommitPolicy[] Policies)
    {
        public int Rows => Offsets[^1];
    }
}
