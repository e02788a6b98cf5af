using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

public sealed class CudaLibraryResolverTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    private static Func<string, string?> Env(Dictionary<string, string> values) => name => values.TryGetValue(name, out string? v) ? v : null;

    // Expands only the patterns the test cares about.
    private static IEnumerable<string> FakeGlob(string pattern) => pattern switch
    {
        "/opt/*/.venv/lib/python3*/site-packages" => ["/opt/torch/.venv/lib/python3.12/site-packages"],
        "/usr/local/cuda-*/lib64" => ["/usr/local/cuda-13.0/lib64"],
        _ => [],
    };

    [Theory]
    [InlineData("Nvrtc", 0, new[] { "libnvrtc.so.13", "libnvrtc.so.12" })]
    [InlineData("Cublas", 13, new[] { "libcublas.so.13", "libcublas.so.12" })]
    [InlineData("CublasLt", 0, new[] { "libcublasLt.so.13", "libcublasLt.so.12" })]
    [InlineData("Cublas", 12, new[] { "libcublas.so.12" })]
    [InlineData("Driver", 12, new[] { "libcuda.so.1", "libcuda.so" })]
    public void FileNames_NewestSupportedMajorFirst(string library, int driverMajor, string[] expected)
    {
        Assert.Equal(expected, CudaLibraryResolver.FileNames(Enum.Parse<CudaLibrary>(library), driverMajor));
    }

    [Fact]
    public void CandidateDirectories_ExplicitDirsFirstThenToolkitThenWheels()
    {
        var env = new Dictionary<string, string>
        {
            ["QS_CUDA_LIB_DIRS"] = "/my/cuda:/other",
            ["CUDA_HOME"] = "/opt/cuda-home",
        };

        IReadOnlyList<string> dirs = CudaLibraryResolver.CandidateDirectories(Env(env), FakeGlob);

        Assert.Equal("/my/cuda", dirs[0]);
        Assert.Equal("/other", dirs[1]);
        Assert.Equal("/opt/cuda-home/lib64", dirs[2]);
        Assert.Contains("/usr/local/cuda/lib64", dirs);
        Assert.Contains("/usr/local/cuda-13.0/lib64", dirs);
        Assert.Contains("/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib", dirs);
        Assert.Contains("/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cublas/lib", dirs);
        Assert.Contains("/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cuda_nvrtc/lib", dirs);
        Assert.True(dirs.ToList().IndexOf("/usr/local/cuda/lib64") < dirs.ToList().IndexOf("/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib"));
        Assert.Equal(dirs.Count, dirs.Distinct().Count());
    }

    [Fact]
    public void Candidates_EachMajorTriesSonameThenEveryDirectory()
    {
        IReadOnlyList<string> candidates = CudaLibraryResolver.Candidates(CudaLibrary.Nvrtc, 13, Env(NoEnvironment), FakeGlob);

        Assert.Equal("libnvrtc.so.13", candidates[0]);
        Assert.Equal("/usr/local/cuda/lib64/libnvrtc.so.13", candidates[1]);
        int first12 = candidates.ToList().IndexOf("libnvrtc.so.12");
        Assert.True(first12 > 0);
        Assert.All(candidates.Take(first12), c => Assert.EndsWith("libnvrtc.so.13", c, StringComparison.Ordinal));
        Assert.Contains("/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/libnvrtc.so.12", candidates);
    }

    [Fact]
    public void DefaultDirectoryProbe_ExpandsWildcardsAgainstTheFileSystem()
    {
        string root = Path.Combine(Path.GetTempPath(), "qs-glob-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "a1", "lib"));
        Directory.CreateDirectory(Path.Combine(root, "a2", "lib"));
        Directory.CreateDirectory(Path.Combine(root, "b", "lib"));
        try
        {
            string[] found = CudaLibraryResolver.DefaultDirectoryProbe(Path.Combine(root, "a*", "lib")).ToArray();

            Assert.Equal([Path.Combine(root, "a1", "lib"), Path.Combine(root, "a2", "lib")], found);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void CudaLibraryNames_MapOnlyTheLogicalNames()
    {
        Assert.Equal(CudaLibrary.Driver, CudaLibraryNames.FromImportName(CudaLibraryNames.Driver));
        Assert.Equal(CudaLibrary.Nvrtc, CudaLibraryNames.FromImportName(CudaLibraryNames.Nvrtc));
        Assert.Equal(CudaLibrary.Cublas, CudaLibraryNames.FromImportName(CudaLibraryNames.Cublas));
        Assert.Null(CudaLibraryNames.FromImportName("libc.so.6"));
    }
}
