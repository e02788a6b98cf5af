using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Models;

namespace Quicksilver.Bench;

/// <summary>
/// The engine's CPU forward against PyTorch's (<c>tools/reference/llada_reference.py</c>: the same LLaDA step,
/// batched, weights widened to fp32, PyTorch's own kernels on the BLAS it was built with), same model, same canvases
/// (<see cref="StepBenchmark"/>'s), same thread count, measured one after the other in this run. PyTorch runs in its
/// own Python process: TorchSharp's libtorch 2.10 needs a newer C++ runtime than Debian 12 has, so the in-process
/// comparison the issue asks for is not possible on these machines (see docs/benchmarks).
/// </summary>
internal static class TorchComparison
{
    public static string Run(string folder, int threads, int repeats, int[] batchSizes, string python)
    {
        var text = new StringBuilder();
        using var inPlace = new BenchModel(folder, threads);
        using var widened = new BenchModel(folder, threads, widenWeightsToFp32: true);
        text.AppendLine(CultureInfo.InvariantCulture, $"## Against PyTorch, `{inPlace.Name}` ({inPlace.Shape})");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"One denoising step as above; PyTorch {TorchVersion(python)} in `{python}`, {threads} threads both. Ratio > 1: the engine is faster.");
        text.AppendLine();
        text.AppendLine("| batch | engine BF16 in place (ms) | engine fp32 copy (ms) | PyTorch fp32 (ms) | PyTorch / engine BF16 | PyTorch / engine fp32 |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (int batch in batchSizes)
        {
            ForwardSequence[] sequences = [.. Enumerable.Range(0, batch).Select(s => StepBenchmark.Sequence(inPlace.Config, s))];
            var scores = new TokenScore[batch * StepBenchmark.Block];
            double bf16 = Timing.MedianMilliseconds(repeats, () => inPlace.Transformer.Forward(sequences, scores));
            double fp32 = Timing.MedianMilliseconds(repeats, () => widened.Transformer.Forward(sequences, scores));
            double torch = TorchMilliseconds(python, folder, threads, batch, repeats);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {batch} | {bf16:F1} | {fp32:F1} | {torch:F1} | {torch / bf16:F2}× | {torch / fp32:F2}× |");
        }

        return text.ToString();
    }

    private static double TorchMilliseconds(string python, string folder, int threads, int batch, int repeats)
    {
        string output = RunPython(python, [RepositoryPaths.TorchReferenceScript(), "bench", folder,
            threads.ToString(CultureInfo.InvariantCulture), batch.ToString(CultureInfo.InvariantCulture),
            (StepBenchmark.Prompt + StepBenchmark.Answer).ToString(CultureInfo.InvariantCulture),
            StepBenchmark.Prompt.ToString(CultureInfo.InvariantCulture), StepBenchmark.Block.ToString(CultureInfo.InvariantCulture),
            Math.Max(3, repeats).ToString(CultureInfo.InvariantCulture)]);
        using JsonDocument result = JsonDocument.Parse(output);
        return result.RootElement.GetProperty("ms_per_forward").GetDouble();
    }

    private static string TorchVersion(string python) => RunPython(python, ["-c", "import torch; print(torch.__version__)"]).Trim();

    private static string RunPython(string python, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{python} failed ({process.ExitCode}): {error.Result}");
    }
}
