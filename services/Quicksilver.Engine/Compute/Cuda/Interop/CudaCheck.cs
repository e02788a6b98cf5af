namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>Turns native status codes into <see cref="CudaException"/>s that name the call.</summary>
internal static class CudaCheck
{
    /// <summary>Throws when a driver API call did not return <c>CUDA_SUCCESS</c>.</summary>
    public static void Driver(int status, string call, string? detail = null) => Check(status, call, DriverErrorText.Instance, detail);

    /// <summary>Throws when an NVRTC call did not return <c>NVRTC_SUCCESS</c>.</summary>
    public static void Nvrtc(int status, string call, string? detail = null) => Check(status, call, NvrtcErrorText.Instance, detail);

    /// <summary>Throws when a cuBLAS call did not return <c>CUBLAS_STATUS_SUCCESS</c>.</summary>
    public static void Cublas(int status, string call, string? detail = null) => Check(status, call, CublasErrorText.Instance, detail);

    /// <summary>Throws when <paramref name="status"/> is non-zero, describing it with <paramref name="text"/>.</summary>
    public static void Check(int status, string call, ICudaErrorText text, string? detail = null)
    {
        if (status != 0)
        {
            throw Error(status, call, text, detail);
        }
    }

    /// <summary>The exception for a failed call.</summary>
    public static CudaException Error(int status, string call, ICudaErrorText text, string? detail = null)
    {
        (string name, string description) = text.Describe(status);
        return new CudaException(call, status, name, description, detail);
    }
}
