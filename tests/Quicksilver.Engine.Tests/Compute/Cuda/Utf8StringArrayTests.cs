using System.Runtime.InteropServices;
using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

public sealed unsafe class Utf8StringArrayTests
{
    [Fact]
    public void Pointers_HoldNullTerminatedUtf8Copies()
    {
        using var array = new Utf8StringArray(["--gpu-architecture=sm_90", "-std=c++17", "θ"]);

        Assert.Equal(3, array.Count);
        Assert.Equal("--gpu-architecture=sm_90", Marshal.PtrToStringUTF8((nint)array.Pointers[0]));
        Assert.Equal("-std=c++17", Marshal.PtrToStringUTF8((nint)array.Pointers[1]));
        Assert.Equal("θ", Marshal.PtrToStringUTF8((nint)array.Pointers[2]));
        Assert.Equal(0, array.Pointers[1][10]);
    }

    [Fact]
    public void Pointers_Empty_IsStillAValidArray()
    {
        using var array = new Utf8StringArray([]);

        Assert.Equal(0, array.Count);
        Assert.True(array.Pointers != null);
    }

    [Fact]
    public void Pointers_AfterDispose_Throws()
    {
        var array = new Utf8StringArray(["a"]);
        array.Dispose();

        Assert.Throws<ObjectDisposedException>(() => (nint)array.Pointers);
    }
}
