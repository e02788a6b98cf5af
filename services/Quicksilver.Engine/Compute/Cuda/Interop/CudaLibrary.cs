namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>The native libraries the CUDA backend binds. Their import names are in <see cref="CudaLibraryNames"/>.</summary>
internal enum CudaLibrary
{
    /// <summary>The driver API, <c>libcuda.so.1</c> (installed with the NVIDIA driver).</summary>
    Driver,

    /// <summary>The runtime compiler, <c>libnvrtc.so.{13,12}</c>.</summary>
    Nvrtc,

    /// <summary>cuBLAS, <c>libcublas.so.{13,12}</c>.</summary>
    Cublas,

    /// <summary>cuBLASLt, <c>libcublasLt.so.{13,12}</c>; loaded before cuBLAS, which depends on it.</summary>
    CublasLt,
}
