using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// Real pods given more than they can serve: each sheds at admission with 429 (its expected queue wait is past the
/// limit), the gateway tries the other pod, and when both shed the client gets 429 — never a 5xx.
/// </summary>
public sealed class OverloadTests
{
    [Fact]
    public async Task Flood_PodsShedAtAdmission_ClientsGet429sNever5xx_AdmittedRequestsComplete()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Quicksilver:Engine:MaxActiveSequences"] = "1",
            ["Quicksilver:Engine:MaxExpectedQueueWait"] = "00:00:00.1",
        };
        await using PodServer first = await PodServer.StartAsync(settings: settings);
        await using PodServer second = await PodServer.StartAsync(settings: settings);
        foreach (PodServer pod in new[] { first, second })
        {
            // Straight to the pod: the history its expected waits are estimated from.
            using var direct = new HttpClient { BaseAddress = pod.Address, Timeout = TimeSpan.FromMinutes(2) };
            using HttpResponseMessage warm = await Platform.PostCompletionAsync(direct, Platform.Completion());
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        await using GatewayServer gateway = await GatewayServer.StartAsync([first.Address, second.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        HttpResponseMessage[] answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Platform.PostCompletionAsync(client, Platform.Completion(prompt: $"Flood {i}"))));
        try
        {
            Assert.All(answers, answer => Assert.Contains(answer.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
            Assert.Contains(answers, answer => answer.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.Contains(answers, answer => answer.StatusCode == HttpStatusCode.OK);
            foreach (HttpResponseMessage answer in answers)
            {
                JsonObject body = (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
                if (answer.StatusCode == HttpStatusCode.OK)
                {
                    Assert.NotNull(body["choices"]![0]!["finish_reason"]);
                }
                else
                {
                    Assert.Equal("RateLimitError", (string?)body["error"]!["type"]);
                    Assert.True(answer.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
                }
            }
        }
        finally
        {
            Array.ForEach(answers, answer => answer.Dispose());
        }
    }
}
