using System.Diagnostics;
using System.Text.Json.Nodes;
using Quicksilver.LoadTest.Client;
using Quicksilver.LoadTest.Metrics;
using Quicksilver.LoadTest.Prompts;
using Quicksilver.LoadTest.Reports;
using Quicksilver.Platform;

namespace Quicksilver.LoadTest.Scenarios;

/// <summary>What the command line asked for.</summary>
internal sealed record RunSettings(
    string Scenario,
    LoadOptions Load,
    Uri? Url,
    string? ApiKey,
    Uri? DirectUrl,
    bool LocalPlatform,
    int Port,
    int Pods,
    string ModelFolder,
    string? PromptsFile,
    int PromptWords,
    Slo Slo,
    double MaxE2eMs,
    string? Out,
    bool ShowProgress,
    string Command);

/// <summary>Runs a scenario end to end: the platform (if local), the load, the scenario's side actions, the report.</summary>
internal static class ScenarioRun
{
    public static async Task<int> RunAsync(RunSettings settings, CancellationToken cancellationToken)
    {
        LocalPlatform? platform = null;
        try
        {
            if (settings.LocalPlatform)
            {
                Console.Error.WriteLine($"Starting the local platform: gateway on port {settings.Port}, {settings.Pods} pods…");
                platform = await LocalPlatform.StartAsync(settings.Pods, settings.Port, Path.Combine("models", settings.ModelFolder), gpuHourPriceUsd: 2.5, echo: false);
            }

            Uri url = platform?.Gateway ?? settings.Url!;
            string? key = platform?.ApiKey ?? settings.ApiKey;
            Uri? direct = settings.DirectUrl ?? platform?.Pods[0];
            LoadOptions load = platform is null ? settings.Load : settings.Load with { Model = platform.Model };
            List<Target> targets = [new Target(settings.Scenario == "gateway-vs-direct" ? "gateway" : "target", url, key)];
            if (settings.Scenario == "gateway-vs-direct")
            {
                if (direct is null)
                {
                    Console.Error.WriteLine("gateway-vs-direct needs --direct-url (a pod) or --platform local.");
                    return 2;
                }

                targets.Add(new Target("direct", direct, null));
            }

            PromptSet prompts = settings.PromptsFile is { } file ? PromptSet.FromJsonl(file) : PromptSet.Synthetic(settings.PromptWords, 64, load.Seed);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            {
                Timeout = TimeSpan.FromMinutes(3),
            };
            var client = new LoadClient(http);
            PodDisruption? disruption = null;
            Func<long, CancellationToken, Task>? during = (settings.Scenario, platform) switch
            {
                ("pod-failure", { } local) => async (start, stop) =>
                {
                    await Task.Delay(TimeSpan.FromSeconds(load.DurationSeconds / 2), stop);
                    local.KillPod(0);
                    disruption = new PodDisruption(Stopwatch.GetElapsedTime(start).TotalSeconds);
                    Console.Error.WriteLine($"\npod-1 killed at {disruption.At:0.0} s");
                },
                ("pod-hang", { } local) when settings.Pods >= 2 && !OperatingSystem.IsWindows() => async (start, stop) =>
                {
                    await Task.Delay(TimeSpan.FromSeconds(load.DurationSeconds / 5), stop);
                    local.StopPod(0);
                    double stoppedAt = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    Console.Error.WriteLine($"\npod-1 stopped (SIGSTOP) at {stoppedAt:0.0} s");
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(load.DurationSeconds * 3 / 5), stop);
                    }
                    finally
                    {
                        local.ResumePod(0);
                        disruption = new PodDisruption(stoppedAt, Stopwatch.GetElapsedTime(start).TotalSeconds);
                        Console.Error.WriteLine($"\npod-1 running again (SIGCONT) at {disruption.EndedAt:0.0} s");
                    }
                },
                _ => null,
            };

            var progress = new Progress();
            DateTime started = DateTime.UtcNow;
            using var ticker = new CancellationTokenSource();
            Task printer = settings.ShowProgress ? PrintProgressAsync(progress, ticker.Token) : Task.CompletedTask;
            IReadOnlyList<RequestResult> results = await LoadRunner.RunAsync(client, targets, prompts, load, progress, during, cancellationToken);
            await ticker.CancelAsync();
            await printer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            RunSummary[] summaries = [.. targets.Select(t => RunSummary.Of(t.Name, [.. results.Where(r => r.Target == t.Name)], settings.Slo))];
            List<Check> checks = [.. Presets.Checks(settings.Scenario, summaries, results, disruption, settings.MaxE2eMs)];
            if (settings.Scenario == "disconnect-storm")
            {
                checks.Add(await CapacityFreedAsync(http, platform?.Pods ?? (direct is null ? [] : [direct])));
            }

            var report = new RunReport(settings.Scenario, settings.Command, started, $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}", summaries, checks)
            {
                GatewayAdded = settings.Scenario == "gateway-vs-direct" ? AddedLatency.Between(summaries[0], summaries[1]) : [],
            };
            Console.WriteLine(report.ToMarkdown());
            if (settings.Out is { } folder)
            {
                await report.WriteAsync(folder, results);
                Console.WriteLine($"Wrote {folder}/result.json, summary.md, latency-cdf.png, throughput.png");
            }

            return report.Passed ? 0 : 1;
        }
        finally
        {
            platform?.Dispose();
        }
    }

    /// <summary>disconnect-storm: once every stream has ended or hung up, the pods must drop the abandoned work (<c>GET /load</c>: nothing waiting or running) within 15 s.</summary>
    private static async Task<Check> CapacityFreedAsync(HttpClient http, IReadOnlyList<Uri> pods)
    {
        const string name = "hung-up streams free capacity";
        if (pods.Count == 0)
        {
            return new Check(name, false, "needs --direct-url (a pod) or --platform local to read the pods' /load");
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            int busy = 0;
            foreach (Uri pod in pods)
            {
                try
                {
                    JsonNode? load = JsonNode.Parse(await http.GetStringAsync(new Uri(pod, "/load")));
                    busy += (load?["waiting"]?.GetValue<int>() ?? 0) + (load?["running"]?.GetValue<int>() ?? 0);
                }
                catch (HttpRequestException e)
                {
                    return new Check(name, false, $"{pod}load: {e.Message}");
                }
            }

            if (busy == 0)
            {
                return new Check(name, true, $"pods idle {clock.Elapsed.TotalSeconds:0.0} s after the last stream ended");
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(15))
            {
                return new Check(name, false, $"{busy} sequences still waiting or running 15 s after the last stream ended");
            }

            await Task.Delay(250);
        }
    }

    private static async Task PrintProgressAsync(Progress progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        bool inPlace = !Console.IsErrorRedirected;
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            string line = $"[{clock.Elapsed.TotalSeconds,5:0}s] {progress}";
            Console.Error.Write(inPlace ? "\r" + line + "   " : line + "\n");
        }
    }
}
