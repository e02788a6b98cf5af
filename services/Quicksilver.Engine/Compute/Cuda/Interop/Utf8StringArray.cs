using System.Runtime.InteropServices;
using System.Text;

namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>
/// A native <c>const char**</c>: null-terminated UTF-8 copies of some strings and an array of pointers to them,
/// in unmanaged memory that stays put until disposed (NVRTC options, header sources and include names).
/// </summary>
internal sealed unsafe class Utf8StringArray : IDisposable
{
    private readonly byte*[] strings;
    private byte** pointers;

    public Utf8StringArray(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Count = values.Count;
        strings = new byte*[Count];
        pointers = (byte**)NativeMemory.Alloc((nuint)Math.Max(Count, 1), (nuint)sizeof(byte*));
        for (int i = 0; i < Count; i++)
        {
            strings[i] = AllocUtf8(values[i]);
            pointers[i] = strings[i];
        }
    }

    /// <summary>Number of strings.</summary>
    public int Count { get; }

    /// <summary>The <c>const char**</c> (valid until disposed; never null, even when empty).</summary>
    public byte** Pointers
    {
        get
        {
            ObjectDisposedException.ThrowIf(pointers == null, this);
            return pointers;
        }
    }

    /// <summary>A null-terminated UTF-8 copy of <paramref name="value"/> in unmanaged memory (free with <see cref="NativeMemory.Free"/>).</summary>
    public static byte* AllocUtf8(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        byte* buffer = (byte*)NativeMemory.Alloc((nuint)length + 1);
        int written = Encoding.UTF8.GetBytes(value, new Span<byte>(buffer, length));
        buffer[written] = 0;
        return buffer;
    }

    public void Dispose()
    {
        if (pointers == null)
        {
            return;
        }

        foreach (byte* s in strings)
        {
            NativeMemory.Free(s);
        }

        NativeMemory.Free(pointers);
        pointers = null;
    }
}
