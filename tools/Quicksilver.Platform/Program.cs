using System.Runtime.InteropServices;
using Quicksilver.Platform;

// The whole platform on loopback, for a laptop: N model-server processes on the embedded model and the gateway in
// front of them, with a demo tenant whose API key is printed. Ctrl+C stops everything.
if (PlatformOptions.Parse(args) is not { } options)
{
    return 2;
}

LocalPlatform platform;
try
{
    platform = await LocalPlatform.StartAsync(options.Pods, options.GatewayPort, options.ModelPath, options.GpuHourPriceUsd);
}
catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or OperationCanceledException)
{
    Console.Error.WriteLine($"The platform did not start: {exception.Message}");
    return 1;
}

using LocalPlatform started = platform;
IReadOnlyList<ChildProcess> children = platform.Children;
string apiKey = platform.ApiKey;
string model = platform.Model;
using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
string gateway = LocalPlatform.Url(options.GatewayPort);
Console.WriteLine($$"""

    Quicksilver is up: gateway {{gateway}} in front of {{options.Pods}} pods serving `{{model}}`.
    Demo tenant "demo", API key:

        {{apiKey}}

    Stream a completion through the gateway:

        curl -N {{gateway}}/v1/completions -H "Authorization: Bearer {{apiKey}}" -H "Content-Type: application/json" \
          -d '{"model": "{{model}}", "prompt": "And God said", "max_tokens": 32, "temperature": 0, "stream": true, "stream_options": {"include_usage": true} }'

    Metrics: {{gateway}}/metrics (gateway), {{LocalPlatform.Url(options.GatewayPort + 1)}}/metrics (pod 1). Ctrl+C stops everything.

    """);

if (options.Smoke)
{
    return await SmokeTest.RunAsync(http, new Uri(gateway), apiKey, model);
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
// A pod that exits (killed, or drained after a SIGTERM) is reported and the rest keep serving, as in a cluster, where
// the gateway takes it out: so failover can be tried here. The platform stops once the gateway or every pod is gone.
var alive = children.ToList();
while (true)
{
    Task anyExited = Task.WhenAny(alive.Select(child => child.WaitForExitAsync(stop.Token)));
    await ((Task)Task.WhenAny(anyExited, Task.Delay(Timeout.Infinite, stop.Token))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    if (stop.IsCancellationRequested)
    {
        return 0;
    }

    foreach (ChildProcess died in alive.Where(child => child.HasExited).ToList())
    {
        alive.Remove(died);
        Console.Error.WriteLine($"{died.Name} exited.");
    }

    if (!alive.Any(child => child.Name == "gateway") || alive.All(child => child.Name == "gateway"))
    {
        Console.Error.WriteLine("No gateway or no pod is left; stopping the platform.");
        return 1;
    }
}
