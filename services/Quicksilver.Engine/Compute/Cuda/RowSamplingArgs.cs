using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>Mirror of <c>RowSamplingArgs</c> in <c>kernels/lm_head_epilogue.cu</c> (24 bytes): one row's sampling parameters.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RowSamplingArgs
{
    /// <summary>Gumbel temperature; 0 = arg-max.</summary>
    public float Temperature;

    /// <summary>Padding so <see cref="Seed"/> is 8-byte aligned, as in C.</summary>
    public uint Reserved;

    /// <summary>CounterRng seed.</summary>
    public ulong Seed;

    /// <summary>CounterRng counter.</summary>
    public ulong Counter;

    public static RowSamplingArgs From(RowSampling sampling) => new()
    {
        Temperature = sampling.Temperature,
        Seed = sampling.Seed,
        Counter = sampling.Counter,
    };
}
