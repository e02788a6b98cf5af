namespace Quicksilver.Engine.Compute.Cuda.Tests;

public sealed class KernelCacheTests
{
    private static readonly Dictionary<string, string> Headers = new() { ["common.cuh"] = "// common" };

    private static string Name(string source = "kernel", string arch = "90", int nvrtcMinor = 0, bool cubin = true, string header = "// common") =>
        KernelCache.FileName("rope.cu", source, new Dictionary<string, string> { ["common.cuh"] = header }, ["-std=c++17"], arch, (13, nvrtcMinor), cubin);

    [Fact]
    public void FileName_ChangesWithSourceHeaderArchNvrtcAndFormat()
    {
        string baseline = Name();

        Assert.StartsWith("rope-sm90-nvrtc13.0-", baseline, StringComparison.Ordinal);
        Assert.EndsWith(".cubin", baseline, StringComparison.Ordinal);
        Assert.Equal(baseline, Name());
        Assert.NotEqual(baseline, Name(source: "kernel2"));
        Assert.NotEqual(baseline, Name(header: "// changed"));
        Assert.NotEqual(baseline, Name(arch: "80"));
        Assert.NotEqual(baseline, Name(nvrtcMinor: 1));
        Assert.EndsWith(".ptx", Name(cubin: false), StringComparison.Ordinal);
    }

    [Fact]
    public void TryWrite_ThenTryRead_RoundTrips()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qs-kcache-" + Guid.NewGuid().ToString("N"));
        try
        {
            var cache = new KernelCache(dir);
            string name = KernelCache.FileName("x.cu", "src", Headers, [], "90", (13, 0), true);

            Assert.False(cache.TryRead(name, out _));
            Assert.Null(cache.TryWrite(name, [1, 2, 3]));
            Assert.True(cache.TryRead(name, out byte[] image));
            Assert.Equal([1, 2, 3], image);
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void Disabled_NeverReadsOrWrites()
    {
        var cache = new KernelCache("");

        Assert.Null(cache.Directory);
        Assert.Null(cache.TryWrite("a.cubin", [1]));
        Assert.False(cache.TryRead("a.cubin", out _));
    }

    [Fact]
    public void DefaultDirectory_PrefersExplicitThenXdgThenHome()
    {
        Assert.Equal("/k", KernelCache.DefaultDirectory(n => n == "QS_KERNEL_CACHE" ? "/k" : "/x"));
        Assert.Equal(Path.Combine("/xdg", "quicksilver", "kernels"), KernelCache.DefaultDirectory(n => n == "XDG_CACHE_HOME" ? "/xdg" : null));
        Assert.Equal(Path.Combine("/home/u", ".cache", "quicksilver", "kernels"), KernelCache.DefaultDirectory(n => n == "HOME" ? "/home/u" : null));
    }
}
