namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>Settings of <see cref="CudaBackend"/>. Every property has a working default.</summary>
public sealed record CudaBackendOptions
{
    /// <summary>The device to use (index among visible devices). Default 0.</summary>
    public int DeviceOrdinal { get; init; }

    /// <summary>
    /// Where compiled kernels are cached (keyed by source hash, architecture and NVRTC version). Default:
    /// <c>$QS_KERNEL_CACHE</c>, else <c>$XDG_CACHE_HOME/quicksilver/kernels</c>, else <c>~/.cache/quicksilver/kernels</c>.
    /// An empty string disables the cache.
    /// </summary>
    public string? KernelCacheDirectory { get; init; }

    /// <summary>
    /// A folder holding the kernel sources (<c>*.cu</c>, <c>*.cuh</c>) to compile instead of the copies embedded
    /// in the engine (<c>$QS_KERNEL_DIR</c> when unset) — for iterating on kernels without rebuilding.
    /// </summary>
    public string? KernelSourceDirectory { get; init; }

    /// <summary>Compile every kernel module while constructing the backend (default) rather than on first use.</summary>
    public bool PrecompileKernels { get; init; } = true;

    /// <summary>The attention kernel. Default <see cref="CudaAttentionKernel.Auto"/>.</summary>
    public CudaAttentionKernel AttentionKernel { get; init; }

    /// <summary>
    /// Synchronise after every launch and check for errors, so a failing kernel is named in the exception
    /// (slow; for diagnostics and parity checks). Also on when <c>QS_CUDA_SYNC=1</c>.
    /// </summary>
    public bool SynchronizeEachLaunch { get; init; }

    /// <summary>Receives progress lines (library paths, compilation, cache hits). Default: none.</summary>
    public Action<string>? Log { get; init; }
}
