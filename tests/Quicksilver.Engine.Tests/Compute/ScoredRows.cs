namespace Quicksilver.Engine.Compute.Tests;

/// <summary><see cref="IComputeBackend.ScoreLogits"/> over rows of logits uploaded from the host, one row per sampling.</summary>
internal static class ScoredRows
{
    public static TokenScore[] Of(IComputeBackend backend, float[] logits, RowSampling[] sampling, int suppressedToken, BufferKind kind = BufferKind.Logits)
    {
        Assert.True(sampling.Length > 0 && logits.Length % sampling.Length == 0, $"{logits.Length} logits for {sampling.Length} rows");
        using IDeviceBuffer buffer = backend.Allocate(sampling.Length, logits.Length / sampling.Length, kind);
        backend.Upload(logits, buffer);
        var scores = new TokenScore[sampling.Length];
        backend.ScoreLogits(buffer, sampling, suppressedToken, scores);
        return scores;
    }
}
