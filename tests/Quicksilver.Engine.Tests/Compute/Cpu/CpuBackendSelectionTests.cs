using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Tests.Decoding;

namespace Quicksilver.Engine.Tests.Compute.Cpu;

public sealed class CpuBackendSelectionTests : IDisposable
{
    private const int Vocab = 50;
    private readonly CpuBackend _backend = new(new CpuBackendOptions { Threads = 2 });

    [Fact]
    public void ScoreAndSelect_MixedBatch_EqualsScoreLogitsThenCommitSelection()
    {
        var random = new Random(4);
        int[] lengths = [3, 0, 17, 1, 40];
        int[] offsets = Offsets(lengths);
        int rows = offsets[^1];
        float[] logits = Enumerable.Range(0, rows * Vocab).Select(_ => (float)((random.NextDouble() * 8) - 4)).ToArray();
        RowSampling[] sampling = Enumerable.Range(0, rows).Select(r => new RowSampling(r % 3 == 0 ? 0.7f : 0f, 11, (ulong)r)).ToArray();
        int[] positions = lengths.SelectMany(n => Enumerable.Range(5, n).OrderBy(_ => random.Next())).ToArray();
        CommitPolicy[] policies = lengths.Select(n => SelectionCase.Random(random, n).Policy).ToArray();
        using IDeviceBuffer buffer = _backend.Allocate(rows, Vocab, BufferKind.Logits);
        _backend.Upload(logits, buffer);
        var committed = new CommittedToken[rows];
        var counts = new int[lengths.Length];

        _backend.ScoreAndSelect(buffer, sampling, 2, positions, offsets, policies, committed, counts);

        var scores = new TokenScore[rows];
        _backend.ScoreLogits(buffer, sampling, 2, scores);
        var expected = new CommittedToken[rows];
        var expectedCounts = new int[lengths.Length];
        CommitSelection.SelectBatch(scores, positions, offsets, policies, expected, expectedCounts);
        Assert.Equal(expectedCounts, counts);
        for (int s = 0; s < lengths.Length; s++)
        {
            Assert.Equal(expected.AsSpan(offsets[s], counts[s]).ToArray(), committed.AsSpan(offsets[s], counts[s]).ToArray());
        }

        Assert.True(counts.Sum() > 0);
    }

    [Fact]
    public void ScoreAndSelect_SamplingOfAnotherLength_Throws()
    {
        using IDeviceBuffer buffer = Logits(2);

        Assert.Throws<ArgumentException>(() => _backend.ScoreAndSelect(buffer, [default], -1, [0, 1], [0, 2], [Policy()], new CommittedToken[2], new int[1]));
    }

    [Fact]
    public void ScoreAndSelect_OffsetsNotCoveringTheRows_ThrowsNamingThem()
    {
        using IDeviceBuffer buffer = Logits(2);

        var ex = Assert.Throws<ArgumentException>(() => _backend.ScoreAndSelect(buffer, [default, default], -1, [0, 1], [0, 1], [Policy()], new CommittedToken[2], new int[1]));

        Assert.Equal("rowOffsets", ex.ParamName);
    }

    [Fact]
    public void MaxSelectionRows_Unlimited() => Assert.Equal(int.MaxValue, _backend.MaxSelectionRows);

    public void Dispose() => _backend.Dispose();

    private static CommitPolicy Policy() => new(RemaskingStrategy.LowConfidence, CommitRule.Schedule, 0, 1, 0, 0);

    private static int[] Offsets(int[] lengths)
    {
        var offsets = new int[lengths.Length + 1];
        for (int s = 0; s < lengths.Length; s++)
        {
            offsets[s + 1] = offsets[s] + lengths[s];
        }

        return offsets;
    }

    private IDeviceBuffer Logits(int rows)
    {
        IDeviceBuffer buffer = _backend.Allocate(rows, Vocab, BufferKind.Logits);
        _backend.Upload(new float[rows * Vocab], buffer);
        return buffer;
    }
}
