using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Metering.Tests;

/// <summary>Requests whose usage the metering tests read, and how to read it.</summary>
internal static class UsageRequests
{
    /// <summary>A completion; a stream asks for its usage chunk unless <paramref name="askForUsage"/> is false.</summary>
    public static JsonObject Completion(bool stream, int choices = 1, bool askForUsage = true)
    {
        var body = new JsonObject { ["prompt"] = "Once upon a time", ["max_tokens"] = 24, ["block_length"] = 8, ["n"] = choices, ["seed"] = 5, ["stream"] = stream };
        if (stream && askForUsage)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return body;
    }

    /// <summary>A chat completion; a stream asks for its usage chunk unless <paramref name="askForUsage"/> is false.</summary>
    public static JsonObject Chat(bool stream, bool askForUsage = true)
    {
        var body = new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Tell me a story." }),
            ["max_completion_tokens"] = 16,
            ["stream"] = stream,
        };
        if (stream && askForUsage)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return body;
    }

    /// <summary>
    /// The usage of a successful answer once it has arrived: a non-streamed one's, or a stream's usage chunk (the last
    /// chunk, with no choices).
    /// </summary>
    public static async Task<JsonObject> UsageAsync(Task<HttpResponseMessage> sending, bool stream)
    {
        ArgumentNullException.ThrowIfNull(sending);
        using HttpResponseMessage response = await sending;
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        JsonObject answer = stream ? OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(body))[^1] : JsonNode.Parse(body)!.AsObject();
        if (stream)
        {
            Assert.Empty(answer["choices"]!.AsArray());
        }

        return answer["usage"]!.AsObject();
    }
}
