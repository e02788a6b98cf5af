namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>Settings of the CPU backend.</summary>
public sealed record CpuBackendOptions
{
    /// <summary>Worker threads for one operation; null means one per logical processor.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Keep every multiplied weight matrix as fp32 panels packed for the matrix product, built on its first product
    /// (faster products, above all at small batches; 2× the memory of BF16 for those matrices). Off by default: each
    /// product widens and packs its panels from the memory-mapped checkpoint as it goes.
    /// </summary>
    public bool WidenWeightsToFp32 { get; init; }
}
