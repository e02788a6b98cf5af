namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary><c>cudaDataType_t</c> (<c>library_types.h</c>): element types of cuBLAS matrices.</summary>
internal enum CudaDataType
{
    CUDA_R_32F = 0,
    CUDA_R_16F = 2,
    CUDA_R_16BF = 14,
}
