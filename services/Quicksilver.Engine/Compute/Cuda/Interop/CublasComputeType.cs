namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary><c>cublasComputeType_t</c>: the accumulation type of <c>cublasGemmEx</c>.</summary>
internal enum CublasComputeType
{
    CUBLAS_COMPUTE_32F = 68,
}
