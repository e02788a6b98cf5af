using System.Security.Cryptography;
using System.Text;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>
/// Compiled kernel images on disk, keyed by everything that changes the output: the program and header sources,
/// the compile options, the target architecture and the NVRTC version. Writes are atomic (temp file + rename);
/// an unusable folder only disables caching.
/// </summary>
internal sealed class KernelCache
{
    private readonly string? directory;

    public KernelCache(string? directory) => this.directory = string.IsNullOrWhiteSpace(directory) ? null : directory;

    /// <summary>The cache folder, or null when caching is off.</summary>
    public string? Directory => directory;

    /// <summary>The default folder: <c>$QS_KERNEL_CACHE</c>, <c>$XDG_CACHE_HOME/quicksilver/kernels</c>, <c>~/.cache/quicksilver/kernels</c>.</summary>
    public static string? DefaultDirectory(Func<string, string?> environment)
    {
        string? explicitDir = environment("QS_KERNEL_CACHE");
        if (explicitDir is not null)
        {
            return explicitDir;
        }

        string? xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg))
        {
            return Path.Combine(xdg, "quicksilver", "kernels");
        }

        string? home = environment("HOME");
        return string.IsNullOrWhiteSpace(home) ? Path.Combine(Path.GetTempPath(), "quicksilver-kernels") : Path.Combine(home, ".cache", "quicksilver", "kernels");
    }

    /// <summary>The cache file name for one compiled program.</summary>
    public static string FileName(
        string program,
        string source,
        IReadOnlyDictionary<string, string> headers,
        IReadOnlyList<string> options,
        string arch,
        (int Major, int Minor) nvrtcVersion,
        bool cubin)
    {
        var key = new StringBuilder();
        key.Append(program).Append('\0').Append(source).Append('\0');
        foreach ((string name, string text) in headers.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            key.Append(name).Append('\0').Append(text).Append('\0');
        }

        key.AppendJoin('\0', options).Append('\0').Append(arch).Append('\0');
        key.Append(nvrtcVersion.Major).Append('.').Append(nvrtcVersion.Minor).Append('\0').Append(cubin ? "cubin" : "ptx");
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())))[..20];
        string stem = Path.GetFileNameWithoutExtension(program);
        return $"{stem}-sm{arch}-nvrtc{nvrtcVersion.Major}.{nvrtcVersion.Minor}-{hash}.{(cubin ? "cubin" : "ptx")}";
    }

    public bool TryRead(string fileName, out byte[] image)
    {
        image = [];
        if (directory is null)
        {
            return false;
        }

        try
        {
            string path = Path.Combine(directory, fileName);
            if (!File.Exists(path))
            {
                return false;
            }

            image = File.ReadAllBytes(path);
            return image.Length > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Stores an image; returns an error description instead of throwing.</summary>
    public string? TryWrite(string fileName, byte[] image)
    {
        if (directory is null)
        {
            return null;
        }

        try
        {
            System.IO.Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, fileName);
            string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(temp, image);
            File.Move(temp, path, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"kernel cache write to {directory} failed: {e.Message}";
        }
    }
}
