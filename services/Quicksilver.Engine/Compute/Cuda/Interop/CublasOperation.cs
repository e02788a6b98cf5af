namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary><c>cublasOperation_t</c>.</summary>
internal enum CublasOperation
{
    CUBLAS_OP_N = 0,
    CUBLAS_OP_T = 1,
}
