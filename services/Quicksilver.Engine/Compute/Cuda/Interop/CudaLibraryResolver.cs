using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>
/// Finds the CUDA libraries at run time: the driver (<c>libcuda.so.1</c>), then NVRTC and cuBLAS of the newest
/// major version the driver supports (13, then 12), by soname through the system search path, then in the
/// toolkit folders (<c>$CUDA_HOME/lib64</c>, <c>/usr/local/cuda/lib64</c>, …) and in the folders of NVIDIA's pip
/// wheels (<c>site-packages/nvidia/cu13/lib</c>, <c>nvidia/cublas/lib</c>, <c>nvidia/cuda_nvrtc/lib</c>).
/// <c>QS_CUDA_LIB_DIRS</c> (colon-separated) is searched first. Every attempt is recorded for error messages.
/// </summary>
internal static class CudaLibraryResolver
{
    private static readonly int[] KnownMajors = [13, 12];
    private static readonly string[] RootVariables = ["CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"];
    private static readonly ConcurrentDictionary<CudaLibrary, LoadOutcome> Outcomes = new();
    private static readonly Lock RegistrationLock = new();
    private static bool registered;
    private static int driverMajor;

    /// <summary>What loading one library did: the path it came from, or every candidate tried.</summary>
    internal sealed record LoadOutcome(CudaLibrary Library, nint Handle, string? LoadedFrom, IReadOnlyList<string> Tried)
    {
        public bool Loaded => Handle != 0;

        public string Describe() => Loaded
            ? $"{Library}: {LoadedFrom}"
            : $"{Library}: not found (tried {string.Join(", ", Tried)})";
    }

    /// <summary>Registers the resolver for the engine assembly once; later calls do nothing.</summary>
    public static void EnsureRegistered()
    {
        lock (RegistrationLock)
        {
            if (registered)
            {
                return;
            }

            try
            {
                NativeLibrary.SetDllImportResolver(typeof(CudaLibraryResolver).Assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // Another resolver owns this assembly; the imports then fail with DllNotFoundException, which callers report.
            }

            registered = true;
        }
    }

    /// <summary>
    /// The major CUDA version the driver supports (from <c>cuDriverGetVersion</c>), so NVRTC/cuBLAS newer than the
    /// driver are skipped. 0 means unknown: every candidate is tried, newest first.
    /// </summary>
    public static void SetDriverVersion(int cudaDriverVersion) => driverMajor = cudaDriverVersion / 1000;

    /// <summary>Loads (once) and returns the outcome for <paramref name="library"/>.</summary>
    public static LoadOutcome Load(CudaLibrary library) =>
        Outcomes.GetOrAdd(library, static lib => LoadUncached(lib, driverMajor, Environment.GetEnvironmentVariable, DefaultDirectoryProbe));

    /// <summary>A one-line summary of every library loaded or attempted so far.</summary>
    public static string Describe() => string.Join("; ", Outcomes.Values.OrderBy(o => o.Library).Select(o => o.Describe()));

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        CudaLibrary? library = CudaLibraryNames.FromImportName(libraryName);
        if (library is null)
        {
            return 0;
        }

        if (library == CudaLibrary.Cublas)
        {
            // libcublas needs libcublasLt of the same version; loading it first lets the dynamic linker reuse it.
            Load(CudaLibrary.CublasLt);
        }

        return Load(library.Value).Handle;
    }

    private static LoadOutcome LoadUncached(
        CudaLibrary library,
        int supportedMajor,
        Func<string, string?> environment,
        Func<string, IEnumerable<string>> expandPattern)
    {
        var tried = new List<string>();
        foreach (string candidate in Candidates(library, supportedMajor, environment, expandPattern))
        {
            tried.Add(candidate);
            if (candidate.Contains('/', StringComparison.Ordinal) && !File.Exists(candidate))
            {
                continue;
            }

            if (library == CudaLibrary.Nvrtc && candidate.Contains('/', StringComparison.Ordinal))
            {
                PreloadNvrtcBuiltins(Path.GetDirectoryName(candidate)!);
            }

            if (NativeLibrary.TryLoad(candidate, out nint handle))
            {
                return new LoadOutcome(library, handle, candidate, tried);
            }
        }

        return new LoadOutcome(library, 0, null, tried);
    }

    // NVRTC dlopens libnvrtc-builtins by soname at compile time; when NVRTC itself came from a folder off the system
    // search path, loading the builtins from that folder first lets the dynamic linker find them already loaded.
    private static void PreloadNvrtcBuiltins(string directory)
    {
        try
        {
            foreach (string builtins in Directory.EnumerateFiles(directory, "libnvrtc-builtins.so*").Order(StringComparer.Ordinal))
            {
                if (NativeLibrary.TryLoad(builtins, out _))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not readable: NVRTC will report what it cannot find.
        }
    }

    /// <summary>
    /// Every path to try for <paramref name="library"/>, in order: for each file name (newest major first), the bare
    /// soname (system search), then each candidate directory.
    /// </summary>
    internal static IReadOnlyList<string> Candidates(
        CudaLibrary library,
        int supportedMajor,
        Func<string, string?> environment,
        Func<string, IEnumerable<string>> expandPattern)
    {
        var result = new List<string>();
        IReadOnlyList<string> directories = CandidateDirectories(environment, expandPattern);
        foreach (string file in FileNames(library, supportedMajor))
        {
            result.Add(file);
            result.AddRange(directories.Select(d => Path.Combine(d, file)));
        }

        return result;
    }

    /// <summary>File names for <paramref name="library"/>, newest major version first, none newer than the driver.</summary>
    internal static IReadOnlyList<string> FileNames(CudaLibrary library, int supportedMajor)
    {
        int[] majors = KnownMajors.Where(m => supportedMajor <= 0 || m <= supportedMajor).ToArray();
        return library switch
        {
            CudaLibrary.Driver => ["libcuda.so.1", "libcuda.so"],
            CudaLibrary.Nvrtc => majors.Select(m => $"libnvrtc.so.{m}").ToArray(),
            CudaLibrary.Cublas => majors.Select(m => $"libcublas.so.{m}").ToArray(),
            CudaLibrary.CublasLt => majors.Select(m => $"libcublasLt.so.{m}").ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(library), library, null),
        };
    }

    /// <summary>
    /// Folders to search after the system path: <c>QS_CUDA_LIB_DIRS</c>, the toolkit, the driver mount, then the
    /// pip wheel folders under every Python site-packages found.
    /// </summary>
    internal static IReadOnlyList<string> CandidateDirectories(
        Func<string, string?> environment,
        Func<string, IEnumerable<string>> expandPattern)
    {
        var dirs = new List<string>();
        string? extra = environment("QS_CUDA_LIB_DIRS");
        if (!string.IsNullOrWhiteSpace(extra))
        {
            dirs.AddRange(extra.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        foreach (string variable in RootVariables)
        {
            string? root = environment(variable);
            if (!string.IsNullOrWhiteSpace(root))
            {
                dirs.Add(Path.Combine(root, "lib64"));
                dirs.Add(Path.Combine(root, "targets", "x86_64-linux", "lib"));
            }
        }

        dirs.Add("/usr/local/cuda/lib64");
        dirs.Add("/usr/local/cuda/targets/x86_64-linux/lib");
        dirs.AddRange(expandPattern("/usr/local/cuda-*/lib64"));
        dirs.Add("/usr/local/nvidia/lib64");
        dirs.Add("/usr/lib/x86_64-linux-gnu");
        dirs.Add("/usr/lib64");

        var sitePackages = new List<string>();
        string? venv = environment("VIRTUAL_ENV");
        if (!string.IsNullOrWhiteSpace(venv))
        {
            sitePackages.AddRange(expandPattern(Path.Combine(venv, "lib", "python3*", "site-packages")));
        }

        string? home = environment("HOME");
        if (!string.IsNullOrWhiteSpace(home))
        {
            sitePackages.AddRange(expandPattern(Path.Combine(home, ".local", "lib", "python3*", "site-packages")));
        }

        sitePackages.AddRange(expandPattern("/opt/*/.venv/lib/python3*/site-packages"));
        sitePackages.AddRange(expandPattern("/opt/*/lib/python3*/site-packages"));
        sitePackages.AddRange(expandPattern("/usr/local/lib/python3*/dist-packages"));
        sitePackages.AddRange(expandPattern("/usr/local/lib/python3*/site-packages"));
        sitePackages.AddRange(expandPattern("/usr/lib/python3/dist-packages"));
        foreach (string site in sitePackages)
        {
            dirs.Add(Path.Combine(site, "nvidia", "cu13", "lib"));
            dirs.Add(Path.Combine(site, "nvidia", "cublas", "lib"));
            dirs.Add(Path.Combine(site, "nvidia", "cuda_nvrtc", "lib"));
        }

        return dirs.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Expands one <c>*</c>-pattern path (wildcards in any segment) against the file system.</summary>
    internal static IEnumerable<string> DefaultDirectoryProbe(string pattern)
    {
        string[] parts = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        IEnumerable<string> current = [pattern.StartsWith('/') ? "/" : "."];
        foreach (string part in parts)
        {
            string segment = part;
            current = current.SelectMany(dir => Expand(dir, segment)).ToArray();
        }

        return current;

        static IEnumerable<string> Expand(string dir, string segment)
        {
            if (!segment.Contains('*', StringComparison.Ordinal))
            {
                string next = Path.Combine(dir, segment);
                return Directory.Exists(next) ? [next] : [];
            }

            try
            {
                return Directory.Exists(dir)
                    ? Directory.EnumerateDirectories(dir, segment).Order(StringComparer.Ordinal).ToArray()
                    : [];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return [];
            }
        }
    }
}
