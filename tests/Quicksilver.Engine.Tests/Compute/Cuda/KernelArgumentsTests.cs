using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

public sealed unsafe class KernelArgumentsTests
{
    [Fact]
    public void Add_MixedTypes_PointersAddressNaturallyAlignedCopies()
    {
        byte* storage = stackalloc byte[64];
        void** pointers = stackalloc void*[8];
        var args = new KernelArguments(storage, 64, pointers, 8);

        args.Add(0x1122334455667788UL); // device pointer
        args.Add(42);                   // int
        args.Add(1.5f);                 // float
        args.Add(-7L);                  // long long: must skip to the next 8-byte boundary
        args.Add((ushort)9);

        Assert.Equal(5, args.Count);
        Assert.Equal(0, (int)((byte*)pointers[0] - storage));
        Assert.Equal(8, (int)((byte*)pointers[1] - storage));
        Assert.Equal(12, (int)((byte*)pointers[2] - storage));
        Assert.Equal(16, (int)((byte*)pointers[3] - storage));
        Assert.Equal(24, (int)((byte*)pointers[4] - storage));
        Assert.Equal(26, args.BytesUsed);
        Assert.Equal(0x1122334455667788UL, *(ulong*)pointers[0]);
        Assert.Equal(42, *(int*)pointers[1]);
        Assert.Equal(1.5f, *(float*)pointers[2]);
        Assert.Equal(-7L, *(long*)pointers[3]);
        Assert.Equal((ushort)9, *(ushort*)pointers[4]);
        Assert.True(args.Pointers == pointers);
    }

    [Fact]
    public void Add_StructArgument_IsCopiedWhole()
    {
        byte* storage = stackalloc byte[64];
        void** pointers = stackalloc void*[4];
        var args = new KernelArguments(storage, 64, pointers, 4);
        args.Add(3);
        args.Add(new RowSamplingArgs { Temperature = 0.5f, TopK = 3, Seed = 11, Counter = 12, TopP = 0.25 });

        var copy = *(RowSamplingArgs*)pointers[1];
        Assert.Equal(8, (int)((byte*)pointers[1] - storage));
        Assert.Equal(0.5f, copy.Temperature);
        Assert.Equal(11UL, copy.Seed);
        Assert.Equal(12UL, copy.Counter);
        Assert.Equal((3, 0.25), (copy.TopK, copy.TopP));
    }

    [Fact]
    public void Add_BeyondSlots_Throws()
    {
        bool threw = false;
        byte* storage = stackalloc byte[64];
        void** pointers = stackalloc void*[2];
        var args = new KernelArguments(storage, 64, pointers, 2);
        args.Add(1);
        args.Add(2);
        try
        {
            args.Add(3);
        }
        catch (InvalidOperationException)
        {
            threw = true;
        }

        Assert.True(threw);
    }

    [Fact]
    public void Add_BeyondStorage_Throws()
    {
        bool threw = false;
        byte* storage = stackalloc byte[12];
        void** pointers = stackalloc void*[8];
        var args = new KernelArguments(storage, 12, pointers, 8);
        args.Add(1);
        try
        {
            args.Add(2UL); // needs bytes 8..16
        }
        catch (InvalidOperationException)
        {
            threw = true;
        }

        Assert.True(threw);
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
