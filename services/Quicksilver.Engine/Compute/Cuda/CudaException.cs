namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>
/// A CUDA driver, NVRTC or cuBLAS call failed. The message names the call, the error's symbolic name and its
/// description, e.g. <c>cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)</c>; a failed kernel
/// compilation appends the compiler log.
/// </summary>
public sealed class CudaException : Exception
{
    /// <summary>Creates an exception with a plain message (no native status).</summary>
    public CudaException()
        : this("A CUDA operation failed.")
    {
    }

    /// <summary>Creates an exception with a plain message (no native status).</summary>
    public CudaException(string message)
        : base(message)
    {
        Call = string.Empty;
        ErrorName = string.Empty;
    }

    /// <summary>Creates an exception with a plain message and an inner exception.</summary>
    public CudaException(string message, Exception innerException)
        : base(message, innerException)
    {
        Call = string.Empty;
        ErrorName = string.Empty;
    }

    /// <summary>Creates an exception for a native call that returned <paramref name="status"/>.</summary>
    /// <param name="call">The native function, e.g. <c>cuMemAlloc_v2</c>.</param>
    /// <param name="status">The status code it returned.</param>
    /// <param name="errorName">The symbolic name, e.g. <c>CUDA_ERROR_OUT_OF_MEMORY</c>.</param>
    /// <param name="description">The human-readable description, e.g. <c>out of memory</c>.</param>
    /// <param name="detail">Extra text appended on its own lines (the NVRTC log, the kernel being launched).</param>
    public CudaException(string call, int status, string errorName, string description, string? detail = null)
        : base(Format(call, errorName, description, detail))
    {
        Call = call;
        Status = status;
        ErrorName = errorName;
    }

    /// <summary>The native function that failed (empty for plain messages).</summary>
    public string Call { get; }

    /// <summary>The status code it returned.</summary>
    public int Status { get; }

    /// <summary>The symbolic name of <see cref="Status"/>.</summary>
    public string ErrorName { get; }

    /// <summary>Formats the message used by the status constructor.</summary>
    internal static string Format(string call, string errorName, string description, string? detail)
    {
        string message = $"{call} failed: {errorName} ({description})";
        return string.IsNullOrEmpty(detail) ? message : message + Environment.NewLine + detail;
    }
}
