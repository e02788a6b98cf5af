namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>Settings of the CPU backend.</summary>
public sealed record CpuBackendOptions
{
    /// <summary>Worker threads for one operation; null means one per logical processor.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Copy every BF16/F16 weight matrix to fp32 once at load (faster matrix products, 2× the memory of BF16).
    /// Off by default: weights are widened a tile at a time from the memory-mapped checkpoint.
    /// </summary>
    public bool WidenWeightsToFp32 { get; init; }
}
