using Quicksilver.Engine.Compute.Tests;

namespace Quicksilver.Engine.Compute.Cpu.Tests;

/// <summary>
/// Block-causal attention on the CPU backend against <see cref="BlockCausalAttentionScenario.Reference"/>, which masks
/// by the definition pair by pair. Tolerance: fp32 scores, softmax and sums against float64 on values in [−1, 1],
/// |Δ| ≤ 1e-5 (the fp32 rounding of a few dozen terms is ~1e-7).
/// </summary>
public sealed class CpuBlockCausalAttentionTests : IDisposable
{
    private const double Tolerance = 1e-5;

    private readonly CpuBackend _backend = new(new CpuBackendOptions { Threads = 2 });

    [Fact]
    public void Attention_BlockCausal_MatchesTheMaskedReference()
    {
        var random = new Random(5);
        var scenario = new BlockCausalAttentionScenario(count => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray());

        float[] actual = scenario.Attend(_backend);
        double[] expected = scenario.Reference();

        Assert.Equal(expected.Length, actual.Length);
        Assert.All(actual, x => Assert.True(float.IsFinite(x), "a key or value no query sees reached the output"));
        double worst = expected.Zip(actual).Max(pair => Math.Abs(pair.First - pair.Second));
        Assert.True(worst <= Tolerance, $"max |Δ| {worst:E2} > {Tolerance:E0}");
    }

    // With two threads the scenario's six (sequence, key/value head) pairs are too few tasks, so each query head gets its
    // own; with one thread each task packs its key/value head once for both query heads that share it. Same arithmetic.
    [Fact]
    public void Attention_QueryHeadsSharingAPackedKeyValueHead_EqualOneTaskPerQueryHeadBitForBit()
    {
        var random = new Random(9);
        var scenario = new BlockCausalAttentionScenario(count => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray());
        using var oneThread = new CpuBackend(new CpuBackendOptions { Threads = 1 });

        Assert.Equal(scenario.Attend(_backend), scenario.Attend(oneThread));
    }

    public void Dispose() => _backend.Dispose();
}
