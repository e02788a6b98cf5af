namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>An event (<c>CUevent</c>); release calls <c>cuEventDestroy_v2</c>.</summary>
internal sealed class CudaEventHandle : CudaContextBoundHandle
{
    public CudaEventHandle()
    {
    }

    protected override int Free(nint value) => CudaDriverApi.cuEventDestroy_v2(value);
}
