using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>Mirror of <c>KvCacheRowWrite</c> in <c>kernels/kv_cache.cu</c> (32 bytes): one key/value row to store in a cache.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvCacheRowWriteArgs
{
    /// <summary>Device address of the row's key slot at layer 0.</summary>
    public ulong Keys;

    /// <summary>Device address of the row's value slot at layer 0.</summary>
    public ulong Values;

    /// <summary>Elements from one layer's slots to the next.</summary>
    public long LayerStride;

    /// <summary>Row of the step's packed key/value buffers.</summary>
    public int SourceRow;

    /// <summary>Padding to 32 bytes, as in C.</summary>
    public int Reserved;
}
