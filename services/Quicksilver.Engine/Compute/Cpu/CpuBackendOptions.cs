namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>Settings of the CPU backend.</summary>
public sealed record CpuBackendOptions
{
    /// <summary>Worker threads for one operation; null means one per logical processor.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Copy every BF16/F16 weight matrix to fp32 once at load (2× the memory of BF16), packed into panels by every
    /// product. Off by default: BF16 matrices keep BF16 panels built by their first product (<see cref="CpuWeight"/>).
    /// </summary>
    public bool WidenWeightsToFp32 { get; init; }
}
