using System.Diagnostics;
using System.Text.Json;
using Quicksilver.Engine.Compute.Cuda;
using Quicksilver.GpuHarness.Json;

namespace Quicksilver.GpuHarness.Parity;

/// <summary><c>parity-check</c>: runs one check in this process and writes its result file.</summary>
internal static class ParityCheckRunner
{
    public static int RunChild(CommandLine args)
    {
        WatchParent(args.Int("parent-pid", 0));
        string name = args.String("check", string.Empty);
        ParityCheck check = ParityCheck.Find(name) ?? throw new ArgumentException($"unknown check '{name}' (known: {string.Join(", ", ParityCheck.All.Select(c => c.Name))})");
        ParityCheckResult result = Run(check, args.Int("seed", 1), args.OptionalString("model"), args.OptionalString("kernel-dir"), args.Flag("dry-run") ? args.OptionalString("dry-run") ?? "cpu" : null);
        string resultFile = args.String("result", $"{name}.json");
        File.WriteAllText(resultFile, JsonSerializer.Serialize(result, HarnessJsonContext.Default.ParityCheckResult));
        return result.Status == ParityCheckResult.Fail ? 1 : 0;
    }

    public static ParityCheckResult Run(ParityCheck check, int seed, string? model, string? kernelDir, string? dryRun)
    {
        if (dryRun is null && check.Attention == CudaAttentionKernel.TensorCore &&
            CudaProbe.TryDetect(0, out CudaDeviceInfo? device, out _) && device is { ComputeCapabilityMajor: < 8 })
        {
            return new ParityCheckResult(check.Name, ParityCheckResult.Skip, 0, null, [], [$"{device.Name} is {device.Architecture}: the tensor-core attention kernel needs sm_80 or newer"]);
        }

        var watch = Stopwatch.StartNew();
        var options = new CudaBackendOptions
        {
            AttentionKernel = check.Attention,
            KernelSourceDirectory = kernelDir,
            SynchronizeEachLaunch = true,
            PrecompileKernels = check.Name == "kernels",
            Log = check.Name == "kernels" ? Console.WriteLine : null,
        };
        // Each check draws from its own stream of the run's seed.
        int checkSeed = (int)((((uint)seed * 31u) ^ (uint)Fnv(check.Name)) & 0x7fffffffu);
        using var context = new ParityContext(checkSeed, options, model, dryRun);
        string? error = null;
        try
        {
            check.Run(context);
        }
        catch (Exception e)
        {
            error = $"{e.GetType().Name}: {e.Message}";
            Console.Error.WriteLine($"{check.Name}: {e}");
        }

        string status = error is not null || context.Metrics.Any(m => !m.Passed)
            ? ParityCheckResult.Fail
            : context.Skipped ? ParityCheckResult.Skip : ParityCheckResult.Pass;
        return new ParityCheckResult(check.Name, status, watch.Elapsed.TotalSeconds, error, context.Metrics, context.Notes);
    }

    // A check outlives its parent only if the parent was killed (e.g. by the device script's time limit): then stop,
    // so an orphaned check does not hold the GPU while the next stage runs.
    private static void WatchParent(int parentPid)
    {
        if (parentPid <= 0)
        {
            return;
        }

        var thread = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(1000);
                try
                {
                    using Process parent = Process.GetProcessById(parentPid);
                    if (parent.HasExited)
                    {
                        break;
                    }
                }
                catch (ArgumentException)
                {
                    break;
                }
                catch (InvalidOperationException)
                {
                    break;
                }
            }

            Console.Error.WriteLine($"parity-check: parent process {parentPid} is gone; exiting");
            Environment.Exit(4);
        })
        {
            IsBackground = true,
            Name = "parent watchdog",
        };
        thread.Start();
    }

    private static int Fnv(string text)
    {
        uint hash = 2166136261;
        foreach (char ch in text)
        {
            hash = (hash ^ ch) * 16777619;
        }

        return (int)hash;
    }
}
