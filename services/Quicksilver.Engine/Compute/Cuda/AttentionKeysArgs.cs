using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>Mirror of <c>AttentionKeys</c> in <c>kernels/attention.cu</c> (32 bytes): where one sequence's keys and values are.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct AttentionKeysArgs
{
    /// <summary>Device address of key row 0 at layer 0.</summary>
    public ulong Keys;

    /// <summary>Device address of value row 0 at layer 0.</summary>
    public ulong Values;

    /// <summary>Elements from one layer's rows to the next: 0 for the step's packed buffers.</summary>
    public long LayerStride;

    /// <summary>Keys attended to.</summary>
    public int Count;

    /// <summary>Canvas position of the sequence's first query row (block-causal layouts).</summary>
    public int FirstQueryPosition;
}
