using System.Text.Json;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Completions;

/// <summary>
/// Fields OpenAI or vLLM define that this server does not implement. Unknown fields are ignored, as vLLM ignores
/// them; these are known, and a client that sets one expects its effect, so a value that would change the answer is a
/// 400 naming the field instead of an answer that silently lacks it. A value with no effect (vLLM's default, or null)
/// passes, so clients that always send the defaults keep working.
/// </summary>
internal static class UnsupportedFields
{
    /// <summary>vLLM's sampling and output parameters, read by both endpoints.</summary>
    private static readonly Field[] Shared =
    [
        new("min_tokens", "vLLM's", Inert.Zero),
        new("min_p", "vLLM's", Inert.Zero),
        new("repetition_penalty", "vLLM's", Inert.One),
        new("length_penalty", "vLLM's", Inert.One),
        new("use_beam_search", "vLLM's", Inert.False),
        new("stop_token_ids", "vLLM's", Inert.EmptyArray),
        new("include_stop_str_in_output", "vLLM's", Inert.False),
        new("detokenize", "vLLM's", Inert.True),
        new("bad_words", "vLLM's", Inert.EmptyArray),
        new("allowed_token_ids", "vLLM's", Inert.None),
        new("skip_special_tokens", "vLLM's", Inert.True),
        new("spaces_between_special_tokens", "vLLM's", Inert.True),
        new("prompt_logprobs", "vLLM's", Inert.None),
        new("truncate_prompt_tokens", "vLLM's", Inert.None),
        new("return_tokens_as_token_ids", "vLLM's", Inert.False),
        new("logits_processors", "vLLM's", Inert.EmptyArray),
        new("guided_json", "vLLM's structured output", Inert.None),
        new("guided_regex", "vLLM's structured output", Inert.None),
        new("guided_choice", "vLLM's structured output", Inert.None),
        new("guided_grammar", "vLLM's structured output", Inert.None),
        new("structured_outputs", "vLLM's structured output", Inert.None),
        new("priority", "vLLM's", Inert.Zero),
    ];

    /// <summary>Completions-only: prompt embeddings.</summary>
    private static readonly Field[] CompletionsOnly =
    [
        new("prompt_embeds", "vLLM's", Inert.None),
    ];

    /// <summary>Chat-only fields: OpenAI's for other modalities and reasoning models, and vLLM's chat extensions.</summary>
    private static readonly Field[] ChatOnly =
    [
        new("audio", "OpenAI's", Inert.None),
        new("modalities", "OpenAI's", Inert.TextOnly),
        new("prediction", "OpenAI's", Inert.None),
        new("reasoning_effort", "OpenAI's", Inert.None),
        new("verbosity", "OpenAI's", Inert.Medium),
        new("web_search_options", "OpenAI's", Inert.None),
        new("echo", "vLLM's", Inert.False),
        new("chat_template", "vLLM's", Inert.None),
        new("documents", "vLLM's", Inert.EmptyArray),
        new("best_of", "vLLM's", Inert.One),
    ];

    /// <summary>Throws a 400 naming the first field of a completions request set to a value this server cannot honour.</summary>
    public static void RejectForCompletions(JsonElement body)
    {
        Reject(body, Shared);
        Reject(body, CompletionsOnly);
    }

    /// <summary>Throws a 400 naming the first field of a chat request set to a value this server cannot honour.</summary>
    public static void RejectForChat(JsonElement body)
    {
        Reject(body, Shared);
        Reject(body, ChatOnly);
    }

    private static void Reject(JsonElement body, Field[] fields)
    {
        foreach (Field field in fields)
        {
            if (body.TryGetProperty(field.Name, out JsonElement value) && value.ValueKind != JsonValueKind.Null && !field.Inert.Matches(value))
            {
                throw ApiErrorException.BadRequest(
                    $"'{field.Name}' ({field.Origin} parameter) is not supported by this server; leave it out or send {field.Inert.Text}, " +
                    $"which has no effect. Got {Truncated(value.GetRawText())}.",
                    field.Name);
            }
        }
    }

    private static string Truncated(string raw)
    {
        const int Shown = 40;
        if (raw.Length <= Shown)
        {
            return raw;
        }

        // Never half of a surrogate pair.
        int cut = char.IsHighSurrogate(raw[Shown - 1]) ? Shown - 1 : Shown;
        return string.Concat(raw.AsSpan(0, cut), "…");
    }

    private sealed record Field(string Name, string Origin, Inert Inert);

    /// <summary>A value that leaves the answer as it would be without the field, and how to write it.</summary>
    private sealed record Inert(string Text, Func<JsonElement, bool> Matches)
    {
        public static readonly Inert Zero = new("0", v => v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && d == 0);
        public static readonly Inert One = new("1", v => v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && d == 1);
        public static readonly Inert False = new("false", v => v.ValueKind == JsonValueKind.False);
        public static readonly Inert True = new("true", v => v.ValueKind == JsonValueKind.True);
        public static readonly Inert EmptyArray = new("[]", v => v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 0);
        public static readonly Inert Medium = new("\"medium\"", v => v.ValueKind == JsonValueKind.String && v.GetString() == "medium");
        public static readonly Inert TextOnly = new(
            "[\"text\"]",
            v => v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(m => m.ValueKind == JsonValueKind.String && m.GetString() == "text"));

        public static readonly Inert None = new("null", _ => false);
    }
}
