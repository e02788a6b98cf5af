namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>A loaded module (<c>CUmodule</c>); release calls <c>cuModuleUnload</c>.</summary>
internal sealed class CudaModuleHandle : CudaContextBoundHandle
{
    public CudaModuleHandle()
    {
    }

    protected override int Free(nint value) => CudaDriverApi.cuModuleUnload(value);
}
