namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>A grid or block shape for <c>cuLaunchKernel</c>.</summary>
internal readonly record struct Dim3(uint X, uint Y = 1, uint Z = 1)
{
    /// <summary>Total count (threads in a block, blocks in a grid).</summary>
    public ulong Volume => (ulong)X * Y * Z;

    /// <summary>A 1-D shape of <paramref name="x"/> (which must be positive).</summary>
    public static Dim3 Of(long x) => new(checked((uint)x));

    /// <summary><c>ceil(count / per)</c> blocks, at least one, capped at <paramref name="max"/> (grid-stride kernels).</summary>
    public static Dim3 Blocks(long count, int per, long max = 65535L * 32)
    {
        long blocks = Math.Max(1, (count + per - 1) / per);
        return new Dim3(checked((uint)Math.Min(blocks, max)));
    }
}
