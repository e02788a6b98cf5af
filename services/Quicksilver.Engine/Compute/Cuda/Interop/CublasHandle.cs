namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>A cuBLAS library context (<c>cublasHandle_t</c>); release calls <c>cublasDestroy_v2</c>.</summary>
internal sealed class CublasHandle : CudaContextBoundHandle
{
    public CublasHandle()
    {
    }

    protected override int Free(nint value) => CublasApi.cublasDestroy_v2(value);
}
