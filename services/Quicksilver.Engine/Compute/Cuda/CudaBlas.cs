using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>
/// cuBLAS on the backend's stream: bf16 GEMMs with fp32 accumulation. The engine's matrices are row-major and
/// weights are stored <c>[out, in]</c>; cuBLAS is column-major, so <c>Y[rows, out] = X[rows, in] · Wᵀ</c> is issued
/// as the column-major product <c>Yᵀ[out, rows] = op_T(W)[out, in] · Xᵀ[in, rows]</c>, which reads the same bytes.
/// </summary>
internal sealed unsafe class CudaBlas : IDisposable
{
    private readonly CublasHandle handle;

    public CudaBlas(CudaStreamHandle stream, nint context)
    {
        CudaCheck.Cublas(CublasApi.cublasCreate_v2(out handle), nameof(CublasApi.cublasCreate_v2));
        handle.Context = context;
        CudaCheck.Cublas(CublasApi.cublasSetStream_v2(handle, stream), nameof(CublasApi.cublasSetStream_v2));
        CudaCheck.Cublas(CublasApi.cublasSetMathMode(handle, CublasMath.CUBLAS_DEFAULT_MATH), nameof(CublasApi.cublasSetMathMode));
        CudaCheck.Cublas(CublasApi.cublasGetVersion_v2(handle, out int version), nameof(CublasApi.cublasGetVersion_v2));
        Version = version;
    }

    /// <summary>cuBLAS version, e.g. 130000 for 13.0.0.</summary>
    public int Version { get; }

    /// <summary>
    /// <c>y[rows, outFeatures] = x[rows, inFeatures] · w[outFeatures, inFeatures]ᵀ</c>: x and w bf16, fp32
    /// accumulation, y bf16 or fp32.
    /// </summary>
    public void MatMulRowMajor(ulong x, int rows, int inFeatures, ulong w, int outFeatures, ulong y, CudaDataType outputType)
    {
        float alpha = 1f;
        float beta = 0f;
        CudaCheck.Cublas(
            CublasApi.cublasGemmEx(
                handle,
                CublasOperation.CUBLAS_OP_T,
                CublasOperation.CUBLAS_OP_N,
                outFeatures,
                rows,
                inFeatures,
                &alpha,
                w,
                CudaDataType.CUDA_R_16BF,
                inFeatures,
                x,
                CudaDataType.CUDA_R_16BF,
                inFeatures,
                &beta,
                y,
                outputType,
                outFeatures,
                CublasComputeType.CUBLAS_COMPUTE_32F,
                CublasMath.CUBLAS_GEMM_DEFAULT),
            nameof(CublasApi.cublasGemmEx),
            $"[{rows} x {inFeatures}] · [{outFeatures} x {inFeatures}]ᵀ → {outputType}");
    }

    /// <summary>
    /// Column-major <c>C[m, n] = A[m, k] · B[k, n]</c> in bf16 with fp32 accumulation, no transposes (the peak
    /// GEMM measurement).
    /// </summary>
    public void GemmColumnMajor(int m, int n, int k, ulong a, ulong b, ulong c)
    {
        float alpha = 1f;
        float beta = 0f;
        CudaCheck.Cublas(
            CublasApi.cublasGemmEx(
                handle,
                CublasOperation.CUBLAS_OP_N,
                CublasOperation.CUBLAS_OP_N,
                m,
                n,
                k,
                &alpha,
                a,
                CudaDataType.CUDA_R_16BF,
                m,
                b,
                CudaDataType.CUDA_R_16BF,
                k,
                &beta,
                c,
                CudaDataType.CUDA_R_16BF,
                m,
                CublasComputeType.CUBLAS_COMPUTE_32F,
                CublasMath.CUBLAS_GEMM_DEFAULT),
            nameof(CublasApi.cublasGemmEx),
            $"{m} x {n} x {k}");
    }

    /// <summary>
    /// A batch of row-major products <c>y_b = x_b · w_bᵀ</c> of one shape, x and w bf16: the three tables are device
    /// arrays of <paramref name="batch"/> device addresses each (x's may repeat one input).
    /// </summary>
    public void BatchedMatMulRowMajor(ulong xTable, int rows, int inFeatures, ulong wTable, int outFeatures, ulong yTable, CudaDataType outputType, int batch)
    {
        float alpha = 1f;
        float beta = 0f;
        CudaCheck.Cublas(
            CublasApi.cublasGemmBatchedEx(
                handle,
                CublasOperation.CUBLAS_OP_T,
                CublasOperation.CUBLAS_OP_N,
                outFeatures,
                rows,
                inFeatures,
                &alpha,
                wTable,
                CudaDataType.CUDA_R_16BF,
                inFeatures,
                xTable,
                CudaDataType.CUDA_R_16BF,
                inFeatures,
                &beta,
                yTable,
                outputType,
                outFeatures,
                batch,
                CublasComputeType.CUBLAS_COMPUTE_32F,
                CublasMath.CUBLAS_GEMM_DEFAULT),
            nameof(CublasApi.cublasGemmBatchedEx),
            $"{batch} x [{rows} x {inFeatures}] · [{outFeatures} x {inFeatures}]ᵀ → {outputType}");
    }

    public void Dispose() => handle.Dispose();
}
