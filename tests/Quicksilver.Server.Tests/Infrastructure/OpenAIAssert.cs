using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>Assertions on the OpenAI wire shapes.</summary>
public static class OpenAIAssert
{
    /// <summary>Checks status, <c>{"error":{message,type,param,code}}</c> with the status as code, and returns the error object.</summary>
    public static async Task<JsonObject> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type, string? param)
    {
        JsonObject error = await ErrorBodyAsync(response, status, type, param);
        Assert.Equal((int)status, error["code"]!.GetValue<int>());
        return error;
    }

    /// <summary>Checks a 401 <c>AuthenticationError</c> with a string <paramref name="code"/> and no param (the gateway contract).</summary>
    public static async Task AuthenticationErrorAsync(HttpResponseMessage response, string code)
    {
        JsonObject error = await ErrorBodyAsync(response, HttpStatusCode.Unauthorized, "AuthenticationError", param: null);
        Assert.Equal(code, error["code"]!.GetValue<string>());
    }

    /// <summary>Checks the envelope of a completion or chunk; returns its choices.</summary>
    public static JsonArray CompletionEnvelope(JsonObject completion, string model)
    {
        ArgumentNullException.ThrowIfNull(completion);
        Assert.Equal(["id", "object", "created", "model", "choices", "usage"], completion.Select(p => p.Key));
        Assert.StartsWith("cmpl-", completion["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("text_completion", completion["object"]!.GetValue<string>());
        Assert.InRange(completion["created"]!.GetValue<long>(), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        Assert.Equal(model, completion["model"]!.GetValue<string>());
        return completion["choices"]!.AsArray();
    }

    /// <summary>Checks one choice's keys and returns (text, finish_reason).</summary>
    public static (string Text, string? FinishReason) Choice(JsonNode? choice)
    {
        JsonObject value = Assert.IsType<JsonObject>(choice);
        Assert.Equal(["index", "text", "logprobs", "finish_reason"], value.Select(p => p.Key));
        Assert.Equal(0, value["index"]!.GetValue<int>());
        Assert.Null(value["logprobs"]);
        return (value["text"]!.GetValue<string>(), value["finish_reason"]?.GetValue<string>());
    }

    /// <summary>
    /// Checks usage's keys, its sum, that device time was charged and denoising steps counted, and that <c>cost_usd</c> is <c>gpu_seconds</c> at
    /// <paramref name="gpuHourPriceUsd"/> (the server's price; 0 unless a test configures one); returns (prompt, completion).
    /// </summary>
    public static (int Prompt, int Completion) Usage(JsonNode? usage, double gpuHourPriceUsd = 0)
    {
        JsonObject value = Assert.IsType<JsonObject>(usage);
        Assert.Equal(["prompt_tokens", "completion_tokens", "total_tokens", "gpu_seconds", "cost_usd", "denoising_steps"], value.Select(p => p.Key));
        int prompt = value["prompt_tokens"]!.GetValue<int>();
        int completion = value["completion_tokens"]!.GetValue<int>();
        Assert.Equal(prompt + completion, value["total_tokens"]!.GetValue<int>());
        double gpuSeconds = value["gpu_seconds"]!.GetValue<double>();
        Assert.True(gpuSeconds > 0, $"gpu_seconds is {gpuSeconds}");
        Assert.Equal(gpuSeconds * gpuHourPriceUsd / 3600, value["cost_usd"]!.GetValue<double>(), 1e-15);
        Assert.True(value["denoising_steps"]!.GetValue<int>() >= 1, $"denoising_steps is {value["denoising_steps"]}");
        return (prompt, completion);
    }

    /// <summary>Parses the payloads of a stream's events as JSON objects.</summary>
    public static IReadOnlyList<JsonObject> Chunks(IReadOnlyList<string> payloads) =>
        [.. payloads.Select(p => JsonNode.Parse(p) as JsonObject ?? throw new JsonException($"Not a JSON object: {p}"))];

    private static async Task<JsonObject> ErrorBodyAsync(HttpResponseMessage response, HttpStatusCode status, string type, string? param)
    {
        ArgumentNullException.ThrowIfNull(response);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        JsonObject root = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(["error"], root.Select(p => p.Key));
        JsonObject error = root["error"]!.AsObject();
        Assert.Equal(["message", "type", "param", "code"], error.Select(p => p.Key));
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
        Assert.Equal(type, error["type"]!.GetValue<string>());
        Assert.Equal(param, error["param"]?.GetValue<string>());
        return error;
    }
}
