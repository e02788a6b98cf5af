using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

/// <summary>What <c>cuLaunchKernel</c> reads through each kernel parameter's pointer: the value's own bytes from the slot's start.</summary>
public sealed unsafe class KernelArgumentTests
{
    [Fact]
    public void ImplicitConversions_PutTheValuesBytesAtTheSlotsStart()
    {
        KernelArgument[] arguments = [0x1122334455667788UL, -42, 1.5f, -7L, 0x8000_0001u];

        Assert.Equal(8, sizeof(KernelArgument));
        fixed (KernelArgument* slots = arguments)
        {
            Assert.Equal(0x1122334455667788UL, *(ulong*)&slots[0]);
            Assert.Equal(-42, *(int*)&slots[1]);
            Assert.Equal(-42L, *(long*)&slots[1]); // sign-extended: whole for a long long parameter too
            Assert.Equal(1.5f, *(float*)&slots[2]);
            Assert.Equal(0u, *((uint*)&slots[2] + 1));
            Assert.Equal(-7L, *(long*)&slots[3]);
            Assert.Equal(0x8000_0001UL, *(ulong*)&slots[4]);
        }
    }

    [Fact]
    public void Dim3_Blocks_RoundsUpAndCaps()
    {
        Assert.Equal(new Dim3(4), Dim3.Blocks(1000, 256));
        Assert.Equal(new Dim3(1), Dim3.Blocks(0, 256));
        Assert.Equal(new Dim3(100), Dim3.Blocks(1L << 40, 256, max: 100));
        Assert.Equal(12UL, new Dim3(2, 3, 2).Volume);
    }
}
