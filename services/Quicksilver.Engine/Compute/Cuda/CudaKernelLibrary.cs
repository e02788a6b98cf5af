using System.Collections.Concurrent;
using System.Diagnostics;
using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>
/// Compiles (NVRTC, with the on-disk cache) and loads the kernel modules, one per <c>.cu</c> file, and hands out
/// function handles by kernel name. A module that fails to build fails only the kernels it defines: the error is
/// kept and rethrown, with the compiler log, whenever one of them is asked for.
/// </summary>
internal sealed unsafe class CudaKernelLibrary : IDisposable
{
    private readonly KernelSources sources;
    private readonly KernelCache cache;
    private readonly string arch;
    private readonly (int Major, int Minor) nvrtcVersion;
    private readonly nint context;
    private readonly Action<string>? log;
    private readonly Lock gate = new();
    private readonly Dictionary<string, CudaModuleHandle> modules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Exception> failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, nint> functions = new(StringComparer.Ordinal);

    public CudaKernelLibrary(KernelSources sources, KernelCache cache, string arch, (int Major, int Minor) nvrtcVersion, nint context, Action<string>? log)
    {
        this.sources = sources;
        this.cache = cache;
        this.arch = arch;
        this.nvrtcVersion = nvrtcVersion;
        this.context = context;
        this.log = log;
    }

    /// <summary>Program file → error, for modules that failed to build.</summary>
    public IReadOnlyDictionary<string, Exception> Failures
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, Exception>(failures);
            }
        }
    }

    /// <summary>Builds every module: NVRTC runs in parallel, loading happens on the calling thread (context current).</summary>
    public void BuildAll()
    {
        string[] files = sources.Programs.Keys.Where(f => !IsBuilt(f)).Order(StringComparer.Ordinal).ToArray();
        var images = new ConcurrentDictionary<string, (byte[]? Image, bool Cubin, Exception? Error)>(StringComparer.Ordinal);
        Parallel.ForEach(files, file =>
        {
            try
            {
                byte[] image = CompileCached(file, cubin: true);
                images[file] = (image, true, null);
            }
            catch (Exception e) when (e is CudaException or IOException)
            {
                images[file] = (null, true, e);
            }
        });

        foreach (string file in files)
        {
            (byte[]? image, _, Exception? error) = images[file];
            lock (gate)
            {
                if (modules.ContainsKey(file) || failures.ContainsKey(file))
                {
                    continue;
                }

                LoadWithFallback(file, image, error);
            }
        }
    }

    /// <summary>The function handle of <paramref name="kernel"/>, building its module on first use.</summary>
    public nint Get(string kernel)
    {
        if (functions.TryGetValue(kernel, out nint function))
        {
            return function;
        }

        if (!KernelCatalog.Files.TryGetValue(kernel, out string? file))
        {
            throw new ArgumentException($"Unknown kernel '{kernel}'.", nameof(kernel));
        }

        lock (gate)
        {
            if (!modules.ContainsKey(file) && !failures.ContainsKey(file))
            {
                byte[]? image = null;
                Exception? error = null;
                try
                {
                    image = CompileCached(file, cubin: true);
                }
                catch (CudaException e)
                {
                    error = e;
                }

                LoadWithFallback(file, image, error);
            }

            if (failures.TryGetValue(file, out Exception? failure))
            {
                throw new CudaException($"Kernel '{kernel}' is unavailable because {file} failed to build: {failure.Message}", failure);
            }

            CudaCheck.Driver(CudaDriverApi.cuModuleGetFunction(out function, modules[file], kernel), nameof(CudaDriverApi.cuModuleGetFunction), $"kernel {kernel} in {file}");
            functions[kernel] = function;
            return function;
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (CudaModuleHandle module in modules.Values)
            {
                module.Dispose();
            }

            modules.Clear();
            functions.Clear();
        }
    }

    private bool IsBuilt(string file)
    {
        lock (gate)
        {
            return modules.ContainsKey(file) || failures.ContainsKey(file);
        }
    }

    // Called under the lock. Tries the CUBIN; when it cannot be built or loaded, PTX for the driver to JIT.
    private void LoadWithFallback(string file, byte[]? cubin, Exception? cubinError)
    {
        Exception? loadError = null;
        if (cubin is not null && TryLoad(file, cubin, out loadError))
        {
            return;
        }

        Exception first = cubinError ?? loadError ?? new CudaException("no CUBIN was produced");
        log?.Invoke($"cuda: {file}: CUBIN for sm_{arch} unusable ({FirstLine(first.Message)}); trying PTX");
        try
        {
            byte[] ptx = CompileCached(file, cubin: false);
            if (TryLoad(file, ptx, out Exception? ptxLoadError))
            {
                return;
            }

            failures[file] = new CudaException($"{file}: CUBIN failed ({first.Message}); PTX failed to load ({ptxLoadError!.Message})", ptxLoadError);
        }
        catch (CudaException e)
        {
            failures[file] = new CudaException($"{file}: CUBIN failed ({first.Message}); PTX failed ({e.Message})", e);
        }

        log?.Invoke($"cuda: {file}: BUILD FAILED: {failures[file].Message}");
    }

    private bool TryLoad(string file, byte[] image, out Exception? error)
    {
        error = null;
        _ = CudaDriverApi.cuCtxSetCurrent(context);
        fixed (byte* p = image)
        {
            int status = CudaDriverApi.cuModuleLoadData(out CudaModuleHandle module, p);
            if (status != 0)
            {
                module.Dispose();
                error = CudaCheck.Error(status, nameof(CudaDriverApi.cuModuleLoadData), DriverErrorText.Instance, file);
                return false;
            }

            module.Context = context;
            modules[file] = module;
            return true;
        }
    }

    private byte[] CompileCached(string file, bool cubin)
    {
        string source = sources.Programs[file];
        string targetArch = arch;
        IReadOnlyList<string> options = NvrtcCompiler.CommonOptions;
        string cacheName = KernelCache.FileName(file, source, sources.Headers, options, targetArch, nvrtcVersion, cubin);
        if (cache.TryRead(cacheName, out byte[] cached))
        {
            log?.Invoke($"cuda: {file}: loaded from cache {cacheName}");
            return cached;
        }

        var watch = Stopwatch.StartNew();
        byte[] image = NvrtcCompiler.Compile(file, source, sources.Headers, targetArch, cubin, out string compileLog);
        log?.Invoke($"cuda: {file}: compiled to {(cubin ? "CUBIN" : "PTX")} for {targetArch} in {watch.ElapsedMilliseconds} ms{(compileLog.Length > 0 ? $"; NVRTC says: {compileLog}" : string.Empty)}");
        string? writeError = cache.TryWrite(cacheName, image);
        if (writeError is not null)
        {
            log?.Invoke($"cuda: {writeError}");
        }

        return image;
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? text : text[..newline];
    }
}
