using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>
/// cuBLAS (<c>libcublas.so.{13,12}</c>, <c>cublas_api.h</c>): handle management and the bf16 GEMMs. Every function
/// returns a <c>cublasStatus_t</c> (0 = success) for <see cref="CudaCheck.Cublas"/>. cuBLAS is column-major; the
/// backend maps its row-major products onto it (see <c>CudaBlas</c>).
/// </summary>
internal static unsafe partial class CublasApi
{
    [LibraryImport(CudaLibraryNames.Cublas)]
    internal static partial int cublasCreate_v2(out CublasHandle handle);

    [LibraryImport(CudaLibraryNames.Cublas)]
    internal static partial int cublasDestroy_v2(nint handle);

    [LibraryImport(CudaLibraryNames.Cublas)]
    internal static partial int cublasGetVersion_v2(CublasHandle handle, out int version);

    [LibraryImport(CudaLibraryNames.Cublas)]
    internal static partial int cublasSetStream_v2(CublasHandle handle, CudaStreamHandle streamId);

    [LibraryImport(CudaLibraryNames.Cublas)]
    internal static partial int cublasSetMathMode(CublasHandle handle, int mode);

    [LibraryImport(CudaLibraryNames.Cublas)]
    internal static partial int cublasGemmEx(
        CublasHandle handle,
        CublasOperation transa,
        CublasOperation transb,
        int m,
        int n,
        int k,
        void* alpha,
        ulong a,
        CudaDataType aType,
        int lda,
        ulong b,
        CudaDataType bType,
        int ldb,
        void* beta,
        ulong c,
        CudaDataType cType,
        int ldc,
        CublasComputeType computeType,
        int algo);

    /// <summary>A batch of products of one shape; the operands are device arrays of device pointers, one per product.</summary>
    [LibraryImport(CudaLibraryNames.Cublas)]
    internal static partial int cublasGemmBatchedEx(
        CublasHandle handle,
        CublasOperation transa,
        CublasOperation transb,
        int m,
        int n,
        int k,
        void* alpha,
        ulong aArray,
        CudaDataType aType,
        int lda,
        ulong bArray,
        CudaDataType bType,
        int ldb,
        void* beta,
        ulong cArray,
        CudaDataType cType,
        int ldc,
        int batchCount,
        CublasComputeType computeType,
        int algo);
}
