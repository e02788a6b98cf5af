using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Quicksilver.Platform;

/// <summary>
/// <c>--bench</c>: the latency the gateway adds. At each request rate, requests arrive open-loop (a fixed schedule, not
/// waiting for answers) and each one goes at random either straight to a pod or through the gateway to the same pod,
/// so both paths see the same pod load in the same seconds; the report gives p50/p99 of time to first byte and to
/// the full answer for both, and the gateway's difference and ratio. Answers are short (one or a few denoising steps)
/// so that the pod's own time does not drown the gateway's.
/// </summary>
internal static class GatewayBench
{
    private static readonly int[] Rates = [5, 10, 20, 40];

    public static async Task<int> RunAsync(Uri gateway, Uri pod, string apiKey, string model, TimeSpan perRate, string? output)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { Timeout = TimeSpan.FromMinutes(2) };
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Gateway overhead on loopback, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {perRate.TotalSeconds:0} s per rate and kind.");
        report.AppendLine();
        report.AppendLine("| kind | rate (req/s) | path | n | TTFB p50 (ms) | TTFB p99 (ms) | full p50 (ms) | full p99 (ms) | errors |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|");
        var ratios = new StringBuilder();
        foreach (bool stream in new[] { false, true })
        {
            string kind = stream ? "stream (16 tokens, 2 blocks)" : "non-stream (1 token)";
            await MeasureAsync(http, gateway, pod, apiKey, Request(model, stream), 2, TimeSpan.FromSeconds(2)); // warm-up
            foreach (int rate in Rates)
            {
                (Sample[] direct, Sample[] proxied) = await MeasureAsync(http, gateway, pod, apiKey, Request(model, stream), rate, perRate);
                report.AppendLine(Row(kind, rate, "direct", direct));
                report.AppendLine(Row(kind, rate, "gateway", proxied));
                ratios.AppendLine(CultureInfo.InvariantCulture,
                    $"| {kind} | {rate} | {Percentile(proxied, s => s.FirstByte, 0.5) - Percentile(direct, s => s.FirstByte, 0.5):0.00} | {Percentile(proxied, s => s.FirstByte, 0.99) - Percentile(direct, s => s.FirstByte, 0.99):0.00} | {Percentile(proxied, s => s.Full, 0.5) / Percentile(direct, s => s.Full, 0.5):0.00}× | {Percentile(proxied, s => s.Full, 0.99) / Percentile(direct, s => s.Full, 0.99):0.00}× |");
            }
        }

        report.AppendLine();
        report.AppendLine("| kind | rate (req/s) | added TTFB p50 (ms) | added TTFB p99 (ms) | full p50 gateway/direct | full p99 gateway/direct |");
        report.AppendLine("|---|---|---|---|---|---|");
        report.Append(ratios);
        Console.WriteLine(report);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, report.ToString());
        }

        return 0;
    }

    private static JsonObject Request(string model, bool stream) => stream
        ? new JsonObject { ["model"] = model, ["prompt"] = "Once upon a time", ["max_tokens"] = 16, ["steps"] = 4, ["block_length"] = 8, ["temperature"] = 0, ["stream"] = true }
        : new JsonObject { ["model"] = model, ["prompt"] = "Once upon a time", ["max_tokens"] = 1, ["temperature"] = 0 };

    private static async Task<(Sample[] Direct, Sample[] Proxied)> MeasureAsync(HttpClient http, Uri gateway, Uri pod, string apiKey, JsonObject body, int rate, TimeSpan duration)
    {
        int count = (int)(rate * duration.TotalSeconds);
        var tasks = new List<Task<Sample>>(count);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            TimeSpan due = TimeSpan.FromSeconds((double)i / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            bool viaGateway = Random.Shared.Next(2) == 0;
            tasks.Add(TimeOneAsync(http, viaGateway ? gateway : pod, viaGateway ? apiKey : null, body, viaGateway));
        }

        Sample[] samples = await Task.WhenAll(tasks);
        return ([.. samples.Where(s => !s.ViaGateway)], [.. samples.Where(s => s.ViaGateway)]);
    }

    private static async Task<Sample> TimeOneAsync(HttpClient http, Uri target, string? apiKey, JsonObject body, bool viaGateway)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, "/v1/completions")) { Content = JsonContent.Create(body) };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        long start = Stopwatch.GetTimestamp();
        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using Stream content = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[16 * 1024];
            int read = await content.ReadAsync(buffer);
            double firstByte = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            while (read > 0)
            {
                read = await content.ReadAsync(buffer);
            }

            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"bench: HTTP {(int)response.StatusCode} from {(viaGateway ? "the gateway" : "the pod")}");
            }

            return new Sample(viaGateway, firstByte, Stopwatch.GetElapsedTime(start).TotalMilliseconds, !response.IsSuccessStatusCode);
        }
        catch (HttpRequestException)
        {
            return new Sample(viaGateway, double.NaN, double.NaN, Failed: true);
        }
    }

    private static string Row(string kind, int rate, string path, Sample[] samples) => string.Create(CultureInfo.InvariantCulture,
        $"| {kind} | {rate} | {path} | {samples.Length} | {Percentile(samples, s => s.FirstByte, 0.5):0.0} | {Percentile(samples, s => s.FirstByte, 0.99):0.0} | {Percentile(samples, s => s.Full, 0.5):0.0} | {Percentile(samples, s => s.Full, 0.99):0.0} | {samples.Count(s => s.Failed)} |");

    private static double Percentile(Sample[] samples, Func<Sample, double> value, double quantile)
    {
        double[] sorted = [.. samples.Where(s => !s.Failed).Select(value).Order()];
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
    }

    private sealed record Sample(bool ViaGateway, double FirstByte, double Full, bool Failed);
}
