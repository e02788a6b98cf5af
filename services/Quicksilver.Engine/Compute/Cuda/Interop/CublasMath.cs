namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary><c>cublasMath_t</c> and <c>cublasGemmAlgo_t</c> values the backend uses.</summary>
internal static class CublasMath
{
    /// <summary><c>CUBLAS_DEFAULT_MATH</c>: tensor cores allowed for bf16 inputs with fp32 compute.</summary>
    public const int CUBLAS_DEFAULT_MATH = 0;

    /// <summary><c>CUBLAS_GEMM_DEFAULT</c>: let cuBLAS pick the algorithm.</summary>
    public const int CUBLAS_GEMM_DEFAULT = -1;
}
