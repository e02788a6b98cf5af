using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cuda;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

public sealed class ComputeBackendFactoryTests
{
    [Fact]
    public void Select_Cpu_UsesCpuAndSaysConfigured()
    {
        ComputeBackendSelection selection = ComputeBackendFactory.Select(new EngineOptions { Backend = "cpu", Threads = 1 });
        using IComputeBackend backend = selection.Backend;

        Assert.Equal("cpu", backend.Name);
        Assert.StartsWith("cpu: ", selection.Reason, StringComparison.Ordinal);
        Assert.EndsWith("(configured)", selection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_Auto_PicksCudaExactlyWhenADeviceIsUsable()
    {
        ComputeBackendSelection selection = ComputeBackendFactory.Select(new EngineOptions { Backend = "auto", Threads = 1 });
        using IComputeBackend backend = selection.Backend;

        if (CudaFactAttribute.DeviceAvailable)
        {
            Assert.Equal("cuda", backend.Name);
        }
        else
        {
            Assert.Equal("cpu", backend.Name);
            Assert.Contains("auto: no CUDA device (", selection.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Select_CudaWithoutDevice_FailsWithTheReason()
    {
        if (CudaFactAttribute.DeviceAvailable)
        {
            return;
        }

        var ex = Assert.Throws<CudaException>(() => ComputeBackendFactory.Select(new EngineOptions { Backend = "cuda" }));

        Assert.StartsWith("Backend 'cuda' was configured but no CUDA device can be used: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_Unknown_Throws()
    {
        Assert.Throws<ArgumentException>(() => ComputeBackendFactory.Select(new EngineOptions { Backend = "tpu" }));
    }

    [Fact]
    public void CudaProbe_Failure_ExplainsItself()
    {
        bool found = CudaProbe.TryDetect(0, out CudaDeviceInfo? info, out string reason);

        Assert.False(string.IsNullOrWhiteSpace(reason));
        Assert.Equal(found, info is not null);
    }
}
