using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

public sealed class CudaCheckTests
{
    private sealed class FakeErrorText : ICudaErrorText
    {
        public List<int> Asked { get; } = [];

        public (string Name, string Description) Describe(int status)
        {
            Asked.Add(status);
            return status == 2 ? ("CUDA_ERROR_OUT_OF_MEMORY", "out of memory") : ($"E{status}", $"error {status}");
        }
    }

    [Fact]
    public void Check_Failure_MessageNamesCallErrorNameAndDescription()
    {
        var text = new FakeErrorText();

        var ex = Assert.Throws<CudaException>(() => CudaCheck.Check(2, "cuMemAlloc_v2", text));

        Assert.Equal("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)", ex.Message);
        Assert.Equal("cuMemAlloc_v2", ex.Call);
        Assert.Equal(2, ex.Status);
        Assert.Equal("CUDA_ERROR_OUT_OF_MEMORY", ex.ErrorName);
        Assert.Equal([2], text.Asked);
    }

    [Fact]
    public void Check_Success_DoesNotAskForText()
    {
        var text = new FakeErrorText();

        CudaCheck.Check(0, "cuInit", text);

        Assert.Empty(text.Asked);
    }

    [Fact]
    public void Check_WithDetail_AppendsDetailOnItsOwnLine()
    {
        var ex = Assert.Throws<CudaException>(() => CudaCheck.Check(6, "nvrtcCompileProgram", new FakeErrorText(), "rope.cu(12): error: identifier \"x\" is undefined"));

        string[] lines = ex.Message.Split(Environment.NewLine);
        Assert.Equal("nvrtcCompileProgram failed: E6 (error 6)", lines[0]);
        Assert.Equal("rope.cu(12): error: identifier \"x\" is undefined", lines[1]);
    }

    [Theory]
    [InlineData(3, "CUBLAS_STATUS_ALLOC_FAILED")]
    [InlineData(7, "CUBLAS_STATUS_INVALID_VALUE")]
    [InlineData(15, "CUBLAS_STATUS_NOT_SUPPORTED")]
    [InlineData(99, "cublasStatus_t 99")]
    public void CublasErrorText_KnownAndUnknownCodes_AreNamed(int status, string name)
    {
        Assert.Equal(name, CublasErrorText.Instance.Describe(status).Name);
    }

    [Fact]
    public void Cublas_Failure_UsesCublasNames()
    {
        var ex = Assert.Throws<CudaException>(() => CudaCheck.Cublas(13, "cublasGemmEx"));

        Assert.Equal("cublasGemmEx failed: CUBLAS_STATUS_EXECUTION_FAILED (the GPU program failed to execute)", ex.Message);
    }

    [Theory]
    [InlineData(2, "CUDA_ERROR_OUT_OF_MEMORY")]
    [InlineData(100, "CUDA_ERROR_NO_DEVICE")]
    [InlineData(700, "CUDA_ERROR_ILLEGAL_ADDRESS")]
    [InlineData(12345, "CUresult 12345")]
    public void DriverErrorText_FallbackNames_ComeFromTheTable(int status, string name)
    {
        Assert.Equal(name, DriverErrorText.FallbackName(status));
    }

    [Fact]
    public void DriverErrorText_WithoutOrWithDriver_AlwaysNamesTheError()
    {
        (string name, string description) = DriverErrorText.Instance.Describe(2);

        Assert.Equal("CUDA_ERROR_OUT_OF_MEMORY", name);
        Assert.False(string.IsNullOrEmpty(description));
    }

    [Fact]
    public void NvrtcErrorText_CompilationError_IsNamed()
    {
        Assert.Equal("NVRTC_ERROR_COMPILATION", NvrtcErrorText.Instance.Describe(6).Name);
    }
}
