using System.Diagnostics;
using System.Text.Json;

namespace Quicksilver.Engine.Tests.TestModels;

/// <summary>
/// Runs <c>tools/reference/llada_reference.py</c>, the LLaDA forward pass written in PyTorch from the published
/// architecture, with the first Python on this machine that imports torch (<c>QS_TORCH_PYTHON</c>, <c>python3</c>,
/// <c>/usr/bin/python3</c>; Debian 12: <c>apt-get install python3-torch</c>).
/// </summary>
internal static class TorchReference
{
    private static readonly Lazy<(string? Python, string Problem)> Interpreter = new(Find);

    public static string Script => Path.Combine(RepositoryFolders.Root, "tools", "reference", "llada_reference.py");

    /// <summary>The masked-diffusion trainer, which trains <see cref="Script"/>'s forward pass.</summary>
    public static string TrainerScript => Path.Combine(RepositoryFolders.Root, "tools", "train", "train_llada.py");

    /// <summary>The Python that imports torch, or null.</summary>
    public static string? Python => Interpreter.Value.Python;

    /// <summary>Why <see cref="Python"/> is null.</summary>
    public static string Problem => Interpreter.Value.Problem;

    /// <summary>PyTorch's logits at <paramref name="positions"/> of each sequence, rows in order.</summary>
    public static float[] Logits(string modelFolder, int[][] sequences, int[][] positions)
    {
        string folder = Directory.CreateTempSubdirectory("quicksilver-torch-").FullName;
        try
        {
            string request = Path.Combine(folder, "request.json");
            string output = Path.Combine(folder, "logits.f32");
            File.WriteAllText(request, JsonSerializer.Serialize(new { sequences, positions }));
            Run(Python ?? throw new InvalidOperationException(Problem), [Script, "logits", modelFolder, request, output], TimeSpan.FromMinutes(5));
            byte[] bytes = File.ReadAllBytes(output);
            var logits = new float[bytes.Length / sizeof(float)];
            Buffer.BlockCopy(bytes, 0, logits, 0, bytes.Length);
            return logits;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The answer LLaDA's greedy <c>generate()</c> (low_confidence remasking) gives for <paramref name="prompt"/>, in
    /// <see cref="Script"/>'s PyTorch: the whole canvas, with no cut at an end token.
    /// </summary>
    public static int[] GreedyAnswer(string modelFolder, int[] prompt, int genLength, int blockLength, int steps, int maskId)
    {
        string folder = Directory.CreateTempSubdirectory("quicksilver-torch-").FullName;
        try
        {
            string request = Path.Combine(folder, "request.json");
            string output = Path.Combine(folder, "answer.json");
            File.WriteAllText(request, JsonSerializer.Serialize(new { prompt, gen_length = genLength, block_length = blockLength, steps, mask_id = maskId }));
            Run(Python ?? throw new InvalidOperationException(Problem), [Script, "generate", modelFolder, request, output], TimeSpan.FromMinutes(5));
            using JsonDocument answer = JsonDocument.Parse(File.ReadAllText(output));
            return [.. answer.RootElement.GetProperty("answer").EnumerateArray().Select(token => token.GetInt32())];
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Masked diffusion against an autoregressive twin of the same network, on the same data and compute.</summary>
    public static string DataConstrainedScript => Path.Combine(RepositoryFolders.Root, "tools", "train", "data_constrained.py");

    /// <summary>Runs <see cref="TrainerScript"/> with <paramref name="args"/>; throws with its standard error if it fails.</summary>
    public static void Train(IEnumerable<string> args) => RunTool(TrainerScript, args);

    /// <summary>Runs <see cref="DataConstrainedScript"/> with <paramref name="args"/>; throws with its standard error if it fails.</summary>
    public static void CompareWithAutoregression(IEnumerable<string> args) => RunTool(DataConstrainedScript, args);

    private static void RunTool(string script, IEnumerable<string> args) =>
        Run(Python ?? throw new InvalidOperationException(Problem), [script, .. args], TimeSpan.FromMinutes(5));

    private static (string?, string) Find()
    {
        var tried = new List<string>();
        foreach (string? candidate in new[] { Environment.GetEnvironmentVariable("QS_TORCH_PYTHON"), "python3", "/usr/bin/python3" })
        {
            if (string.IsNullOrEmpty(candidate))
            {
                continue;
            }

            try
            {
                Run(candidate, ["-c", "import torch, numpy"], TimeSpan.FromSeconds(60));
                return (candidate, string.Empty);
            }
            catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
            {
                tried.Add($"{candidate}: {exception.Message.Split('\n')[0]}");
            }
        }

        return (null, $"no Python with PyTorch and NumPy ({string.Join("; ", tried)}); Debian 12: apt-get install python3-torch");
    }

    private static void Run(string python, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
        Task<string> error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{python} did not finish within {timeout.TotalSeconds:0} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{python} exited with {process.ExitCode}: {error.Result}");
        }
    }
}
