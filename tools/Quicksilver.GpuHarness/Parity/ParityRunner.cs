using System.Diagnostics;
using System.Text.Json;
using Quicksilver.Engine.Compute.Cuda;
using Quicksilver.GpuHarness.Json;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>
/// <c>parity</c>: runs every check in its own child process (this executable, <c>parity-check</c>), so a kernel that
/// faults — which leaves the CUDA context unusable — costs only its own check; each child has a time limit. Prints a
/// line per check and writes the JSON report.
/// </summary>
internal static class ParityRunner
{
    public static int Run(CommandLine args)
    {
        int seed = args.Int("seed", Environment.TickCount & 0x7fffffff);
        string output = args.String("out", "parity.json");
        string? model = args.OptionalString("model") ?? DefaultModelFolder();
        string? kernelDir = args.OptionalString("kernel-dir");
        int timeout = args.Int("timeout", 180);
        bool inProcess = args.Flag("in-process");
        string? dryRun = args.Flag("dry-run") ? args.OptionalString("dry-run") ?? "cpu" : null;
        string[] only = args.OptionalString("only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        string[] unknown = [.. only.Where(name => !ParityCheck.All.Any(c => c.Name == name))];
        if (unknown.Length > 0)
        {
            Console.Error.WriteLine($"parity: no check named {string.Join(", ", unknown)}; the checks are {string.Join(" ", ParityCheck.All.Select(c => c.Name))}");
            return 3;
        }

        string started = DateTime.UtcNow.ToString("O");

        Console.WriteLine($"parity: seed {seed} (rerun with --seed {seed}); model folder {model ?? "(none)"}; kernels {kernelDir ?? "embedded"}; {(inProcess ? "in-process" : $"one process per check, {timeout} s each")}");
        DeviceSummary? device = null;
        string? deviceError = null;
        if (dryRun is not null)
        {
            Console.WriteLine($"parity: DRY RUN ({dryRun}) — a CPU backend stands in for CUDA (checks the harness, not the GPU)");
        }
        else
        {
            try
            {
                using var probe = new CudaBackend(new CudaBackendOptions { PrecompileKernels = false, KernelSourceDirectory = kernelDir });
                device = Summaries.Of(probe);
                Console.WriteLine($"parity: device {probe.Description}");
            }
            catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException)
            {
                deviceError = e.Message;
                Console.Error.WriteLine($"parity: {e.Message}");
                Console.Error.WriteLine("parity: nothing to check without a CUDA device (use --dry-run to exercise the harness on the CPU)");
                File.WriteAllText(output, JsonSerializer.Serialize(new ParityReport(started, seed, null, deviceError, 0, 0, 0, []), HarnessJsonContext.Default.ParityReport));
                return 2;
            }
        }

        var results = new List<ParityCheckResult>();
        foreach (ParityCheck check in ParityCheck.All.Where(c => only.Length == 0 || only.Contains(c.Name)))
        {
            ParityCheckResult result = inProcess
                ? ParityCheckRunner.Run(check, seed, model, kernelDir, dryRun)
                : RunChild(check, seed, model, kernelDir, timeout, dryRun);
            results.Add(result);
            Print(check, result);
            Write(output, started, seed, device, results); // after every check: a run cut short keeps what it found
        }

        (int passed, int failed, int skipped) = Write(output, started, seed, device, results);
        Console.WriteLine($"parity: {passed} passed, {failed} failed, {skipped} skipped → {Path.GetFullPath(output)}");
        return failed == 0 ? 0 : 1;
    }

    private static (int Passed, int Failed, int Skipped) Write(string output, string started, int seed, DeviceSummary? device, List<ParityCheckResult> results)
    {
        int passed = results.Count(r => r.Status == ParityCheckResult.Pass);
        int failed = results.Count(r => r.Status == ParityCheckResult.Fail);
        int skipped = results.Count(r => r.Status == ParityCheckResult.Skip);
        var report = new ParityReport(started, seed, device, null, passed, failed, skipped, results);
        File.WriteAllText(output, JsonSerializer.Serialize(report, HarnessJsonContext.Default.ParityReport));
        return (passed, failed, skipped);
    }

    private static ParityCheckResult RunChild(ParityCheck check, int seed, string? model, string? kernelDir, int timeoutSeconds, string? dryRun)
    {
        string resultFile = Path.Combine(Path.GetTempPath(), $"qs-parity-{check.Name}-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("the harness cannot find its own executable"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] common = ["parity-check", "--check", check.Name, "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--result", resultFile, "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        foreach (string a in common)
        {
            start.ArgumentList.Add(a);
        }

        if (model is not null)
        {
            start.ArgumentList.Add("--model");
            start.ArgumentList.Add(model);
        }

        if (kernelDir is not null)
        {
            start.ArgumentList.Add("--kernel-dir");
            start.ArgumentList.Add(kernelDir);
        }

        if (dryRun is not null)
        {
            start.ArgumentList.Add("--dry-run");
            start.ArgumentList.Add(dryRun);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a child process");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool exited = process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds));
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        string log;
        lock (output)
        {
            log = output.ToString();
        }

        if (!string.IsNullOrWhiteSpace(log))
        {
            foreach (string line in log.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Console.WriteLine($"    [{check.Name}] {line.TrimEnd()}");
            }
        }

        try
        {
            if (exited && File.Exists(resultFile))
            {
                ParityCheckResult? result = JsonSerializer.Deserialize(File.ReadAllText(resultFile), HarnessJsonContext.Default.ParityCheckResult);
                if (result is not null)
                {
                    return result;
                }
            }
        }
        catch (JsonException e)
        {
            return new ParityCheckResult(check.Name, ParityCheckResult.Fail, watch.Elapsed.TotalSeconds, $"unreadable result file: {e.Message}", [], [Tail(log)]);
        }
        finally
        {
            File.Delete(resultFile);
        }

        string why = exited ? $"the check process exited with code {process.ExitCode} without a result (crash?)" : $"timed out after {timeoutSeconds} s";
        return new ParityCheckResult(check.Name, ParityCheckResult.Fail, watch.Elapsed.TotalSeconds, why, [], [Tail(log)]);
    }

    private static void Print(ParityCheck check, ParityCheckResult result)
    {
        string status = result.Status.ToUpperInvariant();
        Console.WriteLine($"{status,-4}  {check.Name,-24} {result.Seconds,6:F1} s  {check.Description}");
        foreach (ParityMetric m in result.Metrics)
        {
            string mark = m.Passed ? "ok  " : "FAIL";
            string numbers = m.DType == "int"
                ? $"{m.Violations} of {m.Elements} differ"
                : $"rel-L2 {m.RelativeL2:E2} (≤ {m.ToleranceRelativeL2:G2}), max|Δ| {m.MaxAbsError:E2} (max|ref| {m.MaxAbsReference:G3}), {m.Violations} outside {m.ToleranceAbsolute:G2} + {m.ToleranceRelative:G2}·|ref|";
            Console.WriteLine($"        {mark} {m.Label}: {numbers}{(m.FirstViolation is null || m.Passed ? string.Empty : $"; first: {m.FirstViolation}")}");
        }

        foreach (string note in result.Notes)
        {
            Console.WriteLine($"        note: {note}");
        }

        if (result.Error is not null)
        {
            Console.WriteLine($"        error: {result.Error}");
        }
    }

    private static string Tail(string log) => log.Length <= 4000 ? log : "…" + log[^4000..];

    private static string? DefaultModelFolder()
    {
        string candidate = Path.Combine(Environment.CurrentDirectory, "models", "quicksilver-tiny");
        return Directory.Exists(candidate) ? candidate : null;
    }
}
