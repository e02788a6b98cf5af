using System.Text.RegularExpressions;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

public sealed class KernelSourcesTests
{
    private static KernelSources Embedded => KernelSources.FromAssembly(typeof(CudaBackend).Assembly);

    [Fact]
    public void Embedded_HoldsEveryProgramAndTheSharedHeaders()
    {
        KernelSources sources = Embedded;

        Assert.Contains("common.cuh", sources.Headers.Keys);
        Assert.Contains("sampling.cuh", sources.Headers.Keys);
        Assert.Contains("token_score.cuh", sources.Headers.Keys);
        foreach (string file in KernelCatalog.Files.Values.Distinct())
        {
            Assert.Contains(file, sources.Programs.Keys);
        }
    }

    [Fact]
    public void EveryCatalogKernel_IsDefinedInItsFile()
    {
        KernelSources sources = Embedded;
        foreach ((string kernel, string file) in KernelCatalog.Files)
        {
            string source = sources.Programs[file];
            Match templated = Regex.Match(kernel, @"^(attention_(?:mma|simple))_d(\d+)$");
            if (templated.Success)
            {
                // Instantiated by macro: QS_ATTENTION_MMA(128) defines attention_mma_d128.
                string macro = templated.Groups[1].Value == "attention_mma" ? "QS_ATTENTION_MMA" : "QS_ATTENTION_SIMPLE";
                Assert.Contains($"{templated.Groups[1].Value}_d##D", source, StringComparison.Ordinal);
                Assert.Contains($"{macro}({templated.Groups[2].Value})", source, StringComparison.Ordinal);
            }
            else
            {
                Assert.Matches(new Regex($@"extern ""C"" __global__ void (__launch_bounds__\(\d+\) )?{kernel}\("), source);
            }
        }
    }

    [Fact]
    public void EveryProgram_StartsWithItsHeaderComment()
    {
        foreach ((string file, string source) in Embedded.Programs)
        {
            Assert.StartsWith($"// {file} — ", source, StringComparison.Ordinal);
            Assert.Contains("Launch:", source, StringComparison.Ordinal);
            Assert.Contains("CPU reference:", source, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SamplingHeader_UsesCounterRngConstants()
    {
        string header = Embedded.Headers["sampling.cuh"];

        foreach (string constant in new[] { "0x9E3779B97F4A7C15", "0xD1B54A32D192ED03", "0xABC98388FB8FAC03", "0xBF58476D1CE4E5B9", "0x94D049BB133111EB" })
        {
            Assert.Contains(constant, header, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FromDirectory_MissingProgram_IsReportedByName()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qs-ksrc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "common.cuh"), "// x");
            File.WriteAllText(Path.Combine(dir, "rope.cu"), "// rope.cu — x");

            var ex = Assert.Throws<CudaException>(() => KernelSources.FromDirectory(dir));

            Assert.Contains("attention.cu", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
