using System.Reflection;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>
/// The CUDA C sources: programs (<c>*.cu</c>, one NVRTC program and module each) and headers (<c>*.cuh</c>,
/// passed to NVRTC in memory). They come embedded in the engine assembly (<c>kernels/</c> at build time) or, for
/// kernel work without a rebuild, from a folder.
/// </summary>
internal sealed class KernelSources
{
    private const string ResourcePrefix = "kernels/";

    private KernelSources(IReadOnlyDictionary<string, string> programs, IReadOnlyDictionary<string, string> headers, string origin)
    {
        Programs = programs;
        Headers = headers;
        Origin = origin;
    }

    /// <summary>File name (<c>rmsnorm.cu</c>) → source.</summary>
    public IReadOnlyDictionary<string, string> Programs { get; }

    /// <summary>Include name (<c>common.cuh</c>) → source.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Where the sources came from, for logs.</summary>
    public string Origin { get; }

    /// <summary>
    /// Loads from <paramref name="directory"/> when given; else the embedded copies, or — when the engine was built
    /// without them (a build context lacking <c>kernels/</c>) — the <c>kernels</c> folder beside the application.
    /// </summary>
    public static KernelSources Load(string? directory)
    {
        if (!string.IsNullOrWhiteSpace(directory))
        {
            return FromDirectory(directory);
        }

        try
        {
            return FromAssembly(typeof(KernelSources).Assembly);
        }
        catch (CudaException) when (Directory.Exists(Path.Combine(AppContext.BaseDirectory, "kernels")))
        {
            return FromDirectory(Path.Combine(AppContext.BaseDirectory, "kernels"));
        }
    }

    public static KernelSources FromDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Kernel source directory '{directory}' does not exist.");
        }

        var programs = Directory.EnumerateFiles(directory, "*.cu").ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
        var headers = Directory.EnumerateFiles(directory, "*.cuh").ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
        return Validate(new KernelSources(programs, headers, Path.GetFullPath(directory)));
    }

    public static KernelSources FromAssembly(Assembly assembly)
    {
        var programs = new Dictionary<string, string>(StringComparer.Ordinal);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using Stream stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded resource '{resource}' could not be opened.");
            using var reader = new StreamReader(stream);
            string name = resource[ResourcePrefix.Length..];
            (name.EndsWith(".cuh", StringComparison.Ordinal) ? headers : programs)[name] = reader.ReadToEnd();
        }

        return Validate(new KernelSources(programs, headers, $"embedded in {assembly.GetName().Name}"));
    }

    private static KernelSources Validate(KernelSources sources)
    {
        string[] missing = KernelCatalog.Files.Values.Distinct().Where(f => !sources.Programs.ContainsKey(f)).Order(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            throw new CudaException($"Kernel sources ({sources.Origin}) lack {string.Join(", ", missing)}.");
        }

        return sources;
    }
}
