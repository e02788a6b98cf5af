using System.Text.Json.Nodes;

namespace Quicksilver.LoadTest.Prompts;

/// <summary>
/// The prompts a run cycles through, and the request body each request index gets: synthetic prompts of a given
/// number of words (deterministic for a seed), or a JSONL file whose lines are <c>{"prompt": "…"}</c> or
/// <c>{"messages": [...]}</c>.
/// </summary>
internal sealed class PromptSet
{
    private static readonly string[] Words =
    [
        "the", "river", "model", "token", "quiet", "mountain", "signal", "diffusion", "block", "answer", "light", "city",
        "paper", "engine", "garden", "winter", "number", "story", "window", "market", "cloud", "stone", "music", "bridge",
    ];

    private readonly JsonNode[] _prompts;

    private PromptSet(JsonNode[] prompts) => _prompts = prompts;

    public int Count => _prompts.Length;

    public static PromptSet Synthetic(int words, int count, int seed)
    {
        var random = new Random(seed);
        return new PromptSet([.. Enumerable.Range(0, count).Select(_ => (JsonNode)JsonValue.Create(string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]))))]);
    }

    public static PromptSet FromJsonl(string path)
    {
        JsonNode[] prompts = [.. File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Select((line, i) =>
        {
            JsonNode? entry = JsonNode.Parse(line);
            return entry?["messages"] is JsonArray messages ? messages.DeepClone()
                : entry?["prompt"] is JsonNode prompt ? prompt.DeepClone()
                : throw new FormatException($"{path}:{i + 1}: expected {{\"prompt\": …}} or {{\"messages\": […]}}.");
        })];
        return prompts.Length > 0 ? new PromptSet(prompts) : throw new FormatException($"{path} holds no prompts.");
    }

    /// <summary>
    /// The body of request <paramref name="index"/>: its prompt (as messages for chat), seed + index as its seed,
    /// <c>ignore_eos</c> so that every answer is <paramref name="maxTokens"/> long (as vLLM's benchmark runs; a trained
    /// model would otherwise end some answers early and the run would measure its prompts, not the service), and
    /// <paramref name="extra"/> fields, which may override any of them.
    /// </summary>
    public JsonObject Body(int index, string model, bool chat, bool stream, int maxTokens, int seed, JsonObject? extra)
    {
        JsonNode prompt = _prompts[index % _prompts.Length].DeepClone();
        var body = new JsonObject { ["model"] = model, ["max_tokens"] = maxTokens, ["stream"] = stream, ["seed"] = seed + index, ["ignore_eos"] = true };
        if (chat)
        {
            body["messages"] = prompt is JsonArray ? prompt : new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt });
        }
        else
        {
            body["prompt"] = prompt is JsonArray messages ? string.Join('\n', messages.Select(m => m?["content"]?.ToString())) : prompt;
        }

        foreach ((string key, JsonNode? value) in extra ?? [])
        {
            body[key] = value?.DeepClone();
        }

        return body;
    }
}
