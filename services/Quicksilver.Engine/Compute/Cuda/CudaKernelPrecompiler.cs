using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>
/// Compiles every kernel program for a given architecture with NVRTC alone — no GPU or driver needed — exactly as
/// <see cref="CudaBackend"/> would (same sources, options and cache keys). Uses: checking the kernels against a real
/// NVRTC on a machine without a GPU, and filling a kernel cache ahead of time (an image build) so pods start without
/// compiling.
/// </summary>
public static class CudaKernelPrecompiler
{
    /// <summary>Compiles all programs for <paramref name="architecture"/> (<c>sm_90</c> or <c>90</c>).</summary>
    /// <param name="architecture">The target, <c>sm_XY</c>.</param>
    /// <param name="kernelSourceDirectory">Sources to compile; null for the copies embedded in the engine.</param>
    /// <param name="cacheDirectory">Where to store the CUBINs under the backend's cache keys; null or empty for nowhere.</param>
    /// <param name="log">Progress lines.</param>
    /// <returns>One result per program, in file-name order.</returns>
    public static IReadOnlyList<KernelBuildResult> CompileAll(string architecture, string? kernelSourceDirectory, string? cacheDirectory, Action<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(architecture);
        string arch = architecture.StartsWith("sm_", StringComparison.Ordinal) ? architecture[3..] : architecture;
        CudaLibraryResolver.EnsureRegistered();
        CudaLibraryResolver.LoadOutcome nvrtc = CudaLibraryResolver.Load(CudaLibrary.Nvrtc);
        if (!nvrtc.Loaded)
        {
            throw new CudaException($"NVRTC could not be loaded: {nvrtc.Describe()}");
        }

        (int Major, int Minor) version = NvrtcCompiler.Version();
        log?.Invoke($"NVRTC {version.Major}.{version.Minor} from {nvrtc.LoadedFrom}");
        KernelSources sources = KernelSources.Load(kernelSourceDirectory);
        var cache = new KernelCache(cacheDirectory);
        var results = new List<KernelBuildResult>();
        foreach ((string file, string source) in sources.Programs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            try
            {
                byte[] image = NvrtcCompiler.Compile(file, source, sources.Headers, arch, cubin: true, out string compileLog);
                string name = KernelCache.FileName(file, source, sources.Headers, NvrtcCompiler.CommonOptions, arch, version, cubin: true);
                string? writeError = cache.TryWrite(name, image);
                results.Add(new KernelBuildResult(file, $"sm_{arch}", image.Length, writeError, compileLog, cache.Directory is null || writeError is not null ? null : name));
            }
            catch (CudaException e)
            {
                results.Add(new KernelBuildResult(file, $"sm_{arch}", 0, e.Message, string.Empty, null));
            }

            KernelBuildResult r = results[^1];
            log?.Invoke(r.Error is null ? $"ok    {file} → sm_{arch} CUBIN, {r.ImageBytes} bytes{(r.CachedAs is null ? string.Empty : $" (cached as {r.CachedAs})")}" : $"FAIL  {file}: {r.Error}");
        }

        return results;
    }
}
