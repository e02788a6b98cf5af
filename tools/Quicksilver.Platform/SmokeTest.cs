using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Quicksilver.Platform;

/// <summary><c>--smoke</c>: streams one completion through the gateway and checks it ends with usage and <c>[DONE]</c>.</summary>
internal static class SmokeTest
{
    public static async Task<int> RunAsync(HttpClient http, Uri gateway, string apiKey, string model)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "/v1/completions"))
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["model"] = model,
                ["prompt"] = "And God said",
                ["max_tokens"] = 32,
                ["temperature"] = 0,
                ["stream"] = true,
                ["stream_options"] = new JsonObject { ["include_usage"] = true },
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        string body = await response.Content.ReadAsStringAsync();
        Console.WriteLine($"smoke: HTTP {(int)response.StatusCode}\n{body}");
        bool ok = response.IsSuccessStatusCode && body.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal) && body.Contains("\"cost_usd\":", StringComparison.Ordinal);
        Console.WriteLine(ok ? "smoke: passed" : "smoke: FAILED (expected a stream with usage, cost and [DONE])");
        return ok ? 0 : 1;
    }
}
