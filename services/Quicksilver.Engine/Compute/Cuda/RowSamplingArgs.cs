using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>Mirror of <c>RowSamplingArgs</c> in <c>kernels/lm_head_epilogue.cu</c> (40 bytes): one row's sampling parameters.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RowSamplingArgs
{
    /// <summary>Gumbel temperature; 0 = arg-max.</summary>
    public float Temperature;

    /// <summary>The most tokens the draw keeps; 0 = every token.</summary>
    public int TopK;

    /// <summary>CounterRng seed.</summary>
    public ulong Seed;

    /// <summary>CounterRng counter.</summary>
    public ulong Counter;

    /// <summary>The nucleus mass the draw keeps, in (0, 1]; 1 = every token.</summary>
    public double TopP;

    /// <summary>1 when the confidences are taken under the draw distribution (<see cref="RowSampling.ScoresTheDrawDistribution"/>), else 0.</summary>
    public int DrawConfidences;

    public static RowSamplingArgs From(RowSampling sampling) => new()
    {
        Temperature = sampling.Temperature,
        TopK = sampling.TopK,
        Seed = sampling.Seed,
        Counter = sampling.Counter,
        TopP = sampling.TopP,
        DrawConfidences = sampling.ScoresTheDrawDistribution ? 1 : 0,
    };
}
