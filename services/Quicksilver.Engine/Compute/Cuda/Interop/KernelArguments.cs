using System.Runtime.CompilerServices;

namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>
/// Packs kernel arguments for <c>cuLaunchKernel</c>'s <c>void** kernelParams</c>: each value is copied into a
/// caller-provided buffer (which must not move, e.g. <c>stackalloc</c>) at its natural alignment, and a pointer to
/// it is appended to the pointer array. The kernel signature decides the types: device pointers are <c>ulong</c>,
/// C <c>int</c> is <c>int</c>, <c>long long</c> is <c>long</c>, <c>float</c> is <c>float</c>.
/// </summary>
internal unsafe ref struct KernelArguments
{
    private readonly byte* storage;
    private readonly int capacity;
    private readonly void** pointers;
    private readonly int maxCount;
    private int offset;

    public KernelArguments(byte* storage, int capacity, void** pointers, int maxCount)
    {
        this.storage = storage;
        this.capacity = capacity;
        this.pointers = pointers;
        this.maxCount = maxCount;
        offset = 0;
        Count = 0;
    }

    /// <summary>Arguments added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes of the storage buffer used (including alignment padding).</summary>
    public readonly int BytesUsed => offset;

    /// <summary>The <c>void**</c> to pass to <c>cuLaunchKernel</c>.</summary>
    public readonly void** Pointers => pointers;

    /// <summary>Appends one argument.</summary>
    public void Add<T>(T value)
        where T : unmanaged
    {
        int size = sizeof(T);
        int alignment = size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
        int aligned = (offset + alignment - 1) / alignment * alignment;
        if (Count >= maxCount || aligned + size > capacity)
        {
            throw new InvalidOperationException($"Kernel argument {Count} ({typeof(T).Name}) does not fit: {capacity} bytes and {maxCount} slots reserved.");
        }

        byte* slot = storage + aligned;
        Unsafe.WriteUnaligned(slot, value);
        pointers[Count] = slot;
        Count++;
        offset = aligned + size;
    }
}
