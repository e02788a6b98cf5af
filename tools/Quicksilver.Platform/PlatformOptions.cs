using System.Globalization;

namespace Quicksilver.Platform;

/// <summary>The launcher's command line.</summary>
/// <param name="Pods">Model-server processes to start.</param>
/// <param name="GatewayPort">The gateway's loopback port; pods take the ports after it.</param>
/// <param name="ModelPath">The model folder the pods serve (relative paths resolve against the repository).</param>
/// <param name="GpuHourPriceUsd">The price of a device-hour the pods charge, so that cost shows up locally.</param>
/// <param name="Smoke">Stream one completion through the gateway, print it, and stop (a check of the whole platform).</param>
/// <remarks>
/// The gateway's added latency is measured by the load generator's <c>gateway-vs-direct</c> scenario
/// (<c>loadtests/Quicksilver.LoadTest</c>), which starts this platform itself.
/// </remarks>
internal sealed record PlatformOptions(int Pods, int GatewayPort, string ModelPath, double GpuHourPriceUsd, bool Smoke)
{
    public const string Usage =
        "Usage: dotnet run -c Release --project tools/Quicksilver.Platform [-- [--pods N] [--port P] [--model <folder>] [--price <usd per device-hour>] [--smoke]]";

    /// <summary>Parses <paramref name="args"/>; null (after printing why) when they are not understood.</summary>
    public static PlatformOptions? Parse(string[] args)
    {
        var options = new PlatformOptions(Pods: 2, GatewayPort: 8000, ModelPath: "models/quicksilver-tiny", GpuHourPriceUsd: 2.5, Smoke: false);
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--pods" when int.TryParse(value, CultureInfo.InvariantCulture, out int pods) && pods is >= 1 and <= 16:
                    options = options with { Pods = pods };
                    i++;
                    break;
                case "--port" when int.TryParse(value, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65000:
                    options = options with { GatewayPort = port };
                    i++;
                    break;
                case "--model" when !string.IsNullOrWhiteSpace(value):
                    options = options with { ModelPath = value };
                    i++;
                    break;
                case "--price" when double.TryParse(value, CultureInfo.InvariantCulture, out double price) && price >= 0:
                    options = options with { GpuHourPriceUsd = price };
                    i++;
                    break;
                case "--smoke":
                    options = options with { Smoke = true };
                    break;
                default:
                    Console.Error.WriteLine($"Not understood: {args[i]}{(value is null ? string.Empty : " " + value)}");
                    Console.Error.WriteLine(Usage);
                    return null;
            }
        }

        return options;
    }
}
