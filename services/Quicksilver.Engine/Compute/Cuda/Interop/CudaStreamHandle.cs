namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>A stream (<c>CUstream</c>); release calls <c>cuStreamDestroy_v2</c>.</summary>
internal sealed class CudaStreamHandle : CudaContextBoundHandle
{
    public CudaStreamHandle()
    {
    }

    protected override int Free(nint value) => CudaDriverApi.cuStreamDestroy_v2(value);
}
