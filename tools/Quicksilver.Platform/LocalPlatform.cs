using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;

namespace Quicksilver.Platform;

/// <summary>
/// The platform on loopback: <c>pods</c> model-server processes on a model and the gateway in front of them, with a
/// demo tenant and its API key. Used by the launcher and by the load generator (<c>loadtests/</c>), which kills pods
/// mid-run. Disposing stops every process.
/// </summary>
internal sealed class LocalPlatform : IDisposable
{
    private readonly List<ChildProcess> _children;
    private readonly string _folder;

    private LocalPlatform(List<ChildProcess> children, string folder, Uri gateway, IReadOnlyList<Uri> pods, string apiKey, string model)
    {
        _children = children;
        _folder = folder;
        Gateway = gateway;
        Pods = pods;
        ApiKey = apiKey;
        Model = model;
    }

    public Uri Gateway { get; }

    public IReadOnlyList<Uri> Pods { get; }

    public string ApiKey { get; }

    /// <summary>The served model's name (its folder's name).</summary>
    public string Model { get; }

    public IReadOnlyList<ChildProcess> Children => _children;

    public static string Url(int port) => $"http://127.0.0.1:{port}";

    /// <summary>The gateway's port and the pods' after it must be free: a child that cannot bind would only say so in its own log.</summary>
    private static void RequireFreePorts(int gatewayPort, int pods)
    {
        for (int port = gatewayPort; port <= gatewayPort + pods; port++)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
            }
            catch (SocketException exception)
            {
                throw new InvalidOperationException(
                    $"Port {port} on 127.0.0.1 cannot be bound ({exception.SocketErrorCode}); the platform needs ports {gatewayPort}–{gatewayPort + pods}. Pass --port with another base port.", exception);
            }
            finally
            {
                listener.Stop();
            }
        }
    }

    /// <summary>Starts the pods on ports after <paramref name="gatewayPort"/>, waits until they are ready, then the gateway.</summary>
    /// <param name="echo">Whether the processes' output is printed (prefixed with their names).</param>
    public static async Task<LocalPlatform> StartAsync(int pods, int gatewayPort, string modelFolder, double gpuHourPriceUsd, bool echo = true)
    {
        RequireFreePorts(gatewayPort, pods);
        string root = Repository.Root();
        string configuration = typeof(LocalPlatform).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
        string serverAssembly = Path.Combine(root, "services", "Quicksilver.Server", "bin", configuration, "net10.0", "Quicksilver.Server.dll");
        string gatewayAssembly = Path.Combine(root, "gateway", "Quicksilver.Gateway", "bin", configuration, "net10.0", "Quicksilver.Gateway.dll");
        string modelPath = Path.GetFullPath(Path.Combine(root, modelFolder));
        string model = Path.GetFileName(modelPath.TrimEnd(Path.DirectorySeparatorChar));

        (string apiKey, string storedKey) = await DemoKey.CreateAsync(gatewayAssembly);
        string folder = Directory.CreateTempSubdirectory("quicksilver-platform-").FullName;
        string tenantsFile = Path.Combine(folder, "tenants.json");
        await File.WriteAllTextAsync(tenantsFile, $$"""{"tenants": [{"id": "demo", "keys": ["{{storedKey}}"]}]}""");
        string podKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

        var children = new List<ChildProcess>();
        var platform = new LocalPlatform(children, folder, new Uri(Url(gatewayPort)), [.. Enumerable.Range(1, pods).Select(i => new Uri(Url(gatewayPort + i)))], apiKey, model);
        try
        {
            var gatewayArgs = new List<string> { "--urls", Url(gatewayPort), "--Gateway:PodKey", podKey, "--Gateway:Tenancy:ApiKeysFile", tenantsFile };
            for (int i = 0; i < pods; i++)
            {
                int port = gatewayPort + 1 + i;
                children.Add(ChildProcess.Start($"pod-{i + 1}", serverAssembly, ["--urls", Url(port), "--model", modelPath], new Dictionary<string, string>
                {
                    ["Quicksilver__Tenancy__GatewayKey"] = podKey,
                    ["Quicksilver__Metering__GpuHourPriceUsd"] = gpuHourPriceUsd.ToString(CultureInfo.InvariantCulture),
                }, echo));
                gatewayArgs.AddRange([$"--Gateway:Models:{model}:Pods:{i}", Url(port)]);
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            foreach (Uri pod in platform.Pods)
            {
                await Readiness.WaitAsync(http, new Uri(pod, "/health/ready"), children);
            }

            // After the pods: a pod still loading fails the gateway's first readiness check and would sit out until the next.
            children.Add(ChildProcess.Start("gateway", gatewayAssembly, gatewayArgs, new Dictionary<string, string>(), echo));
            await Readiness.WaitAsync(http, new Uri(platform.Gateway, "/health/ready"), children);
            return platform;
        }
        catch
        {
            platform.Dispose();
            throw;
        }
    }

    /// <summary>Kills pod <paramref name="index"/> (0-based) and its process tree at once, as a crash would.</summary>
    public void KillPod(int index) => Pod(index).Kill();

    /// <summary>
    /// Stops pod <paramref name="index"/> (0-based) with <c>SIGSTOP</c>: its port still accepts connections, but it answers
    /// nothing, as a wedged process does (POSIX only).
    /// </summary>
    public void StopPod(int index) => Pod(index).Signal("STOP");

    /// <summary>Lets a pod <see cref="StopPod"/> stopped run again (<c>SIGCONT</c>).</summary>
    public void ResumePod(int index) => Pod(index).Signal("CONT");

    private ChildProcess Pod(int index) => _children.Single(c => c.Name == $"pod-{index + 1}");

    public void Dispose()
    {
        foreach (ChildProcess child in _children)
        {
            child.Dispose();
        }

        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
