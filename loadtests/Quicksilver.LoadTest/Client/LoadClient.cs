using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quicksilver.LoadTest.Client;

/// <summary>Where requests go: a base URL and, for the gateway, an API key (a pod takes none).</summary>
internal sealed record Target(string Name, Uri BaseUrl, string? ApiKey);

/// <summary>Sends one completion or chat request, streamed or not, and times it (TTFT, ITL, end to end).</summary>
internal sealed class LoadClient(HttpClient http)
{
    /// <param name="path"><c>/v1/completions</c> or <c>/v1/chat/completions</c>.</param>
    /// <param name="body">The request body; for streams, <c>stream_options.include_usage</c> is set to true.</param>
    /// <param name="runStart">The run's <see cref="Stopwatch"/> timestamp, for <see cref="RequestResult.StartSeconds"/>.</param>
    /// <param name="hangUpAfterFirstEvent">Cancel the stream once its first text event arrived (disconnect storm).</param>
    public async Task<RequestResult> SendAsync(Target target, string path, JsonObject body, long runStart, bool hangUpAfterFirstEvent, CancellationToken cancellationToken)
    {
        bool stream = body["stream"]?.GetValue<bool>() == true;
        if (stream)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        long start = Stopwatch.GetTimestamp();
        double startSeconds = Stopwatch.GetElapsedTime(runStart, start).TotalSeconds;
        double Ms(long at) => Stopwatch.GetElapsedTime(start, at).TotalMilliseconds;
        RequestResult Result(Outcome outcome, int? status, string? type, double? ttft = null, double[]? itl = null, Usage? usage = null, int events = 0, JsonNode? error = null) =>
            new(target.Name, startSeconds, outcome, status, type, Ms(Stopwatch.GetTimestamp()), ttft, itl ?? [], usage?.CompletionTokens ?? events,
                usage?.PromptTokens ?? 0, usage?.GpuSeconds, usage?.CostUsd, usage?.Steps, ErrorMessage(error));

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target.BaseUrl, path))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (target.ApiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.ApiKey);
        }

        using var hangUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int? status = null;
        double? ttft = null;
        long lastText = 0;
        var gaps = new List<double>();
        int textEvents = 0;
        Usage? usage = null;
        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, hangUp.Token);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                JsonNode? error = TryParse(await response.Content.ReadAsStringAsync(hangUp.Token));
                return Result(Outcome.HttpError, status, ErrorType(error), error: error);
            }

            if (!stream)
            {
                JsonNode? answer = TryParse(await response.Content.ReadAsStringAsync(hangUp.Token));
                double whole = Ms(Stopwatch.GetTimestamp());
                return answer is null
                    ? Result(Outcome.Lost, status, "truncated")
                    : Result(Outcome.Ok, status, null, ttft: whole, usage: Usage.From(answer["usage"]));
            }

            await using Stream content = await response.Content.ReadAsStreamAsync(hangUp.Token);
            await foreach (TimedEvent e in SseReader.ReadAsync(content, hangUp.Token))
            {
                if (e.Data == "[DONE]")
                {
                    return Result(Outcome.Ok, status, null, ttft, [.. gaps], usage, textEvents);
                }

                JsonNode? chunk = TryParse(e.Data);
                if (chunk?["error"] is not null)
                {
                    return Result(Outcome.Lost, status, ErrorType(chunk) ?? "error_event", ttft, [.. gaps], usage, textEvents, chunk);
                }

                usage = Usage.From(chunk?["usage"]) ?? usage;
                if (!HasText(chunk))
                {
                    continue;
                }

                textEvents++;
                if (ttft is null)
                {
                    ttft = Ms(e.Timestamp);
                }
                else
                {
                    gaps.Add(Stopwatch.GetElapsedTime(lastText, e.Timestamp).TotalMilliseconds);
                }

                lastText = e.Timestamp;
                if (hangUpAfterFirstEvent)
                {
                    await hangUp.CancelAsync();
                    return Result(Outcome.Cancelled, status, null, ttft, [], usage, textEvents);
                }
            }

            return Result(Outcome.Lost, status, "truncated", ttft, [.. gaps], usage, textEvents);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Result(Outcome.Cancelled, status, null);
        }
        catch (OperationCanceledException)
        {
            return Result(Outcome.Lost, status, "timeout", ttft, [.. gaps], usage, textEvents);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return Result(Outcome.Lost, status, status is null ? "transport" : "truncated", ttft, [.. gaps], usage, textEvents);
        }
    }

    /// <summary>Whether a chunk carries answer text: <c>choices[].text</c> (completions) or <c>choices[].delta.content</c> (chat).</summary>
    internal static bool HasText(JsonNode? chunk) =>
        chunk?["choices"] is JsonArray choices && choices.Any(c =>
            c?["text"] is JsonValue text && text.GetValueKind() == JsonValueKind.String && text.GetValue<string>().Length > 0 ||
            c?["delta"]?["content"] is JsonValue content && content.GetValueKind() == JsonValueKind.String && content.GetValue<string>().Length > 0);

    internal static string? ErrorType(JsonNode? body) => ErrorField(body, "type");

    internal static string? ErrorMessage(JsonNode? body) => ErrorField(body, "message");

    private static string? ErrorField(JsonNode? body, string name) =>
        body?["error"]?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static JsonNode? TryParse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The usage object: OpenAI's token counts and Quicksilver's <c>gpu_seconds</c>, <c>cost_usd</c> and <c>denoising_steps</c> (each null when absent).</summary>
internal sealed record Usage(int PromptTokens, int CompletionTokens, double? GpuSeconds, double? CostUsd, int? Steps)
{
    public static Usage? From(JsonNode? usage) => usage is JsonObject u && u["completion_tokens"] is not null
        ? new Usage(
            u["prompt_tokens"]?.GetValue<int>() ?? 0,
            u["completion_tokens"]!.GetValue<int>(),
            u["gpu_seconds"]?.GetValue<double>(),
            u["cost_usd"]?.GetValue<double>(),
            u["denoising_steps"]?.GetValue<int>())
        : null;
}
