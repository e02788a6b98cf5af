using System.Runtime.CompilerServices;

namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>
/// One kernel parameter by value, for <c>cuLaunchKernel</c>'s <c>void** kernelParams</c>: an 8-byte slot holding the
/// value's bytes from its start. The driver copies as many bytes as the kernel's parameter has, so the C# type must
/// match it: device pointers are <c>ulong</c>, C <c>int</c> is <c>int</c>, <c>long long</c> is <c>long</c>, <c>float</c>
/// is <c>float</c>. An <c>int</c> fills its slot sign-extended, so one passed to a <c>long long</c> still arrives whole.
/// Launches take them as a collection, <c>Launch(…, [x.Pointer, x.Columns, epsilon])</c>.
/// </summary>
internal readonly struct KernelArgument
{
    private readonly ulong slot;

    private KernelArgument(ulong slot) => this.slot = slot;

    public static implicit operator KernelArgument(int value) => From((long)value);

    public static implicit operator KernelArgument(uint value) => From(value);

    public static implicit operator KernelArgument(long value) => From(value);

    public static implicit operator KernelArgument(ulong value) => From(value);

    public static implicit operator KernelArgument(float value) => From(value);

    private static KernelArgument From<T>(T value)
        where T : unmanaged
    {
        ulong slot = 0;
        Unsafe.WriteUnaligned(ref Unsafe.As<ulong, byte>(ref slot), value);
        return new KernelArgument(slot);
    }
}
