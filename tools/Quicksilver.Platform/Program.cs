using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Quicksilver.Platform;

// The whole platform on loopback, for a laptop: N model-server processes on the embedded model and the gateway in
// front of them, with a demo tenant whose API key is printed. Ctrl+C stops everything.
if (PlatformOptions.Parse(args) is not { } options)
{
    return 2;
}

string root = Repository.Root();
string configuration = typeof(PlatformOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
string serverAssembly = Path.Combine(root, "services", "Quicksilver.Server", "bin", configuration, "net10.0", "Quicksilver.Server.dll");
string gatewayAssembly = Path.Combine(root, "gateway", "Quicksilver.Gateway", "bin", configuration, "net10.0", "Quicksilver.Gateway.dll");
string modelPath = Path.GetFullPath(Path.Combine(root, options.ModelPath));
string model = Path.GetFileName(modelPath.TrimEnd(Path.DirectorySeparatorChar));

(string apiKey, string storedKey) = await DemoKey.CreateAsync(gatewayAssembly);
string folder = Directory.CreateTempSubdirectory("quicksilver-platform-").FullName;
string tenantsFile = Path.Combine(folder, "tenants.json");
await File.WriteAllTextAsync(tenantsFile, $$"""{"tenants": [{"id": "demo", "keys": ["{{storedKey}}"]}]}""");
string podKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

var children = new List<ChildProcess>();
try
{
    var gatewayArgs = new List<string> { "--urls", Url(options.GatewayPort), "--Gateway:PodKey", podKey, "--Gateway:Tenancy:ApiKeysFile", tenantsFile };
    for (int i = 0; i < options.Pods; i++)
    {
        int port = options.GatewayPort + 1 + i;
        children.Add(ChildProcess.Start($"pod-{i + 1}", serverAssembly, ["--urls", Url(port), "--model", modelPath], new Dictionary<string, string>
        {
            ["Quicksilver__Tenancy__GatewayKey"] = podKey,
            ["Quicksilver__Metering__GpuHourPriceUsd"] = options.GpuHourPriceUsd.ToString(CultureInfo.InvariantCulture),
        }));
        gatewayArgs.AddRange([$"--Gateway:Models:{model}:Pods:{i}", Url(port)]);
    }

    using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
    for (int i = 0; i < options.Pods; i++)
    {
        await Readiness.WaitAsync(http, new Uri($"{Url(options.GatewayPort + 1 + i)}/health/ready"), children);
    }

    // After the pods: a pod still loading fails the gateway's first readiness check and would sit out until the next.
    children.Add(ChildProcess.Start("gateway", gatewayAssembly, gatewayArgs, new Dictionary<string, string>()));

    await Readiness.WaitAsync(http, new Uri($"{Url(options.GatewayPort)}/health/ready"), children);
    string gateway = Url(options.GatewayPort);
    Console.WriteLine($$"""

        Quicksilver is up: gateway {{gateway}} in front of {{options.Pods}} pods serving `{{model}}`.
        Demo tenant "demo", API key:

            {{apiKey}}

        Stream a completion through the gateway:

            curl -N {{gateway}}/v1/completions -H "Authorization: Bearer {{apiKey}}" -H "Content-Type: application/json" \
              -d '{"model": "{{model}}", "prompt": "Once upon a time", "max_tokens": 32, "stream": true, "stream_options": {"include_usage": true} }'

        Metrics: {{gateway}}/metrics (gateway), {{Url(options.GatewayPort + 1)}}/metrics (pod 1). Ctrl+C stops everything.

        """);

    if (options.Smoke)
    {
        return await SmokeTest.RunAsync(http, new Uri(gateway), apiKey, model);
    }

    if (options.Bench)
    {
        return await GatewayBench.RunAsync(new Uri(gateway), new Uri(Url(options.GatewayPort + 1)), apiKey, model, TimeSpan.FromSeconds(options.BenchSeconds), options.Output);
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
    Task anyExited = Task.WhenAny(children.Select(child => child.WaitForExitAsync(stop.Token)));
    await ((Task)Task.WhenAny(anyExited, Task.Delay(Timeout.Infinite, stop.Token))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    if (children.FirstOrDefault(child => child.HasExited) is { } died)
    {
        Console.Error.WriteLine($"{died.Name} exited; stopping the platform.");
        return 1;
    }

    return 0;
}
finally
{
    foreach (ChildProcess child in children)
    {
        child.Dispose();
    }

    Directory.Delete(folder, recursive: true);
}

static string Url(int port) => $"http://127.0.0.1:{port}";
