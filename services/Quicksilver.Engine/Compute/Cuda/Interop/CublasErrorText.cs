namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>cuBLAS status codes described from the <c>cublas_api.h</c> documentation.</summary>
internal sealed class CublasErrorText : ICudaErrorText
{
    public static CublasErrorText Instance { get; } = new();

    public (string Name, string Description) Describe(int status) => (CublasStatus)status switch
    {
        CublasStatus.CUBLAS_STATUS_SUCCESS => ("CUBLAS_STATUS_SUCCESS", "success"),
        CublasStatus.CUBLAS_STATUS_NOT_INITIALIZED => ("CUBLAS_STATUS_NOT_INITIALIZED", "the cuBLAS library was not initialized"),
        CublasStatus.CUBLAS_STATUS_ALLOC_FAILED => ("CUBLAS_STATUS_ALLOC_FAILED", "resource allocation failed"),
        CublasStatus.CUBLAS_STATUS_INVALID_VALUE => ("CUBLAS_STATUS_INVALID_VALUE", "an unsupported value or parameter was passed"),
        CublasStatus.CUBLAS_STATUS_ARCH_MISMATCH => ("CUBLAS_STATUS_ARCH_MISMATCH", "the device does not support this operation"),
        CublasStatus.CUBLAS_STATUS_MAPPING_ERROR => ("CUBLAS_STATUS_MAPPING_ERROR", "access to GPU memory space failed"),
        CublasStatus.CUBLAS_STATUS_EXECUTION_FAILED => ("CUBLAS_STATUS_EXECUTION_FAILED", "the GPU program failed to execute"),
        CublasStatus.CUBLAS_STATUS_INTERNAL_ERROR => ("CUBLAS_STATUS_INTERNAL_ERROR", "an internal cuBLAS operation failed"),
        CublasStatus.CUBLAS_STATUS_NOT_SUPPORTED => ("CUBLAS_STATUS_NOT_SUPPORTED", "the functionality requested is not supported"),
        CublasStatus.CUBLAS_STATUS_LICENSE_ERROR => ("CUBLAS_STATUS_LICENSE_ERROR", "the functionality requested requires some license"),
        _ => ($"cublasStatus_t {status}", "unknown cuBLAS status"),
    };
}
