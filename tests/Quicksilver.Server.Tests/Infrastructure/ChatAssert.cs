using System.Text.Json.Nodes;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>Assertions on the OpenAI chat completion wire shapes (exact keys, in order).</summary>
public static class ChatAssert
{
    /// <summary>Checks the envelope of a chat completion (or, with <paramref name="chunk"/>, a stream chunk); returns its choices.</summary>
    public static JsonArray Envelope(JsonObject completion, string model, bool chunk = false)
    {
        ArgumentNullException.ThrowIfNull(completion);
        Assert.Equal(["id", "object", "created", "model", "choices", "usage"], completion.Select(p => p.Key));
        Assert.Matches("^chatcmpl-[0-9a-f]{32}$", completion["id"]!.GetValue<string>());
        Assert.Equal(chunk ? "chat.completion.chunk" : "chat.completion", completion["object"]!.GetValue<string>());
        Assert.InRange(completion["created"]!.GetValue<long>(), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        Assert.Equal(model, completion["model"]!.GetValue<string>());
        return completion["choices"]!.AsArray();
    }

    /// <summary>Checks a non-stream choice's keys (and its <paramref name="index"/>) and returns (content, finish_reason).</summary>
    public static (string Content, string FinishReason) Choice(JsonNode? choice, int index = 0)
    {
        JsonObject value = Assert.IsType<JsonObject>(choice);
        Assert.Equal(["index", "message", "logprobs", "finish_reason"], value.Select(p => p.Key));
        Assert.Equal(index, value["index"]!.GetValue<int>());
        Assert.Null(value["logprobs"]);
        JsonObject message = value["message"]!.AsObject();
        Assert.Equal(["role", "content"], message.Select(p => p.Key));
        Assert.Equal("assistant", message["role"]!.GetValue<string>());
        string finish = value["finish_reason"]!.GetValue<string>();
        Assert.Contains(finish, new[] { "stop", "length" });
        return (message["content"]!.GetValue<string>(), finish);
    }

    /// <summary>Checks a stream choice's keys and returns (delta, finish_reason).</summary>
    public static (JsonObject Delta, string? FinishReason) ChunkChoice(JsonNode? choice)
    {
        JsonObject value = Assert.IsType<JsonObject>(choice);
        Assert.Equal(["index", "delta", "logprobs", "finish_reason"], value.Select(p => p.Key));
        Assert.Equal(0, value["index"]!.GetValue<int>());
        Assert.Null(value["logprobs"]);
        return (value["delta"]!.AsObject(), value["finish_reason"]?.GetValue<string>());
    }

    /// <summary>
    /// Checks a whole stream (the payloads before <c>[DONE]</c>): one id and created, the role chunk first, content
    /// chunks, the finish reason on the last chunk of the choice only, then the usage chunk when
    /// <paramref name="includeUsage"/>. Returns the text, the finish reason and the usage chunk's usage.
    /// </summary>
    public static (string Content, string FinishReason, JsonNode? Usage) Stream(IReadOnlyList<JsonObject> chunks, string model, bool includeUsage)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        Assert.Single(chunks.Select(c => c["id"]!.GetValue<string>()).Distinct());
        Assert.Single(chunks.Select(c => c["created"]!.GetValue<long>()).Distinct());
        IReadOnlyList<JsonObject> choiceChunks = includeUsage ? chunks.SkipLast(1).ToList() : chunks;
        Assert.True(choiceChunks.Count >= 2, "Expected the role chunk and at least one more.");

        (JsonObject role, string? roleFinish) = ChunkChoice(Assert.Single(Envelope(choiceChunks[0], model, chunk: true)));
        Assert.Equal("""{"role":"assistant","content":""}""", role.ToJsonString());
        Assert.Null(roleFinish);
        Assert.Null(choiceChunks[0]["usage"]);

        var content = new System.Text.StringBuilder();
        string? finish = null;
        for (int i = 1; i < choiceChunks.Count; i++)
        {
            (JsonObject delta, string? chunkFinish) = ChunkChoice(Assert.Single(Envelope(choiceChunks[i], model, chunk: true)));
            Assert.Null(choiceChunks[i]["usage"]);
            bool last = i == choiceChunks.Count - 1;
            Assert.Equal(last, chunkFinish is not null);
            if (last && delta.Count == 0)
            {
                finish = chunkFinish;
                continue;
            }

            Assert.Equal(["content"], delta.Select(p => p.Key));
            string text = delta["content"]!.GetValue<string>();
            Assert.True(last || text.Length > 0, "Only the last chunk may have no new text.");
            content.Append(text);
            finish = chunkFinish;
        }

        Assert.Contains(finish, new[] { "stop", "length" });
        JsonNode? usage = null;
        if (includeUsage)
        {
            Assert.Empty(Envelope(chunks[^1], model, chunk: true));
            usage = chunks[^1]["usage"];
            Assert.NotNull(usage);
        }

        return (content.ToString(), finish!, usage);
    }
}
