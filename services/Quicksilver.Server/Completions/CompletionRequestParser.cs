using System.Text.Json;
using Quicksilver.Engine.Constraints.Json;
using Quicksilver.Server.Errors;
using static Quicksilver.Server.Completions.RequestFieldReader;

namespace Quicksilver.Server.Completions;

/// <summary>
/// Reads a <c>POST /v1/completions</c> body field by field, so that every mistake is a 400 naming the field
/// (<see cref="ApiErrorException"/>), never a model-binding failure or a 500. Unknown fields are ignored.
/// Checks that need the model (token ids in the vocabulary, context length) happen later, in the endpoint.
/// </summary>
internal static class CompletionRequestParser
{
    /// <summary>The most alternatives <c>logprobs</c> may ask for (OpenAI's bound on the legacy endpoint).</summary>
    private const int MaxLogprobs = 5;

    public static CompletionRequest Parse(JsonElement body, LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        string? model = OptionalString(body, "model");
        CompletionPrompt prompt = ParsePrompt(body);
        int? maxTokens = OptionalInteger(body, "max_tokens", 1, limits.MaxTokens);
        DecodingFields decoding = ParseDecoding(body, limits.MaxLogitBiasEntries);
        int choices = OptionalInteger(body, "n", 1, limits.MaxChoices) ?? 1;
        bool stream = OptionalBoolean(body, "stream") ?? false;
        int candidates = ParseBestOf(body, choices, stream, limits.MaxChoices);
        bool includeUsage = ParseStreamOptions(body, stream);
        IReadOnlyList<string> stop = ParseStop(body);
        ulong? seed = ParseSeed(body);
        OptionalString(body, "user");
        JsonGrammar? responseFormat = ResponseFormatReader.Parse(body);
        UnsupportedFields.RejectForCompletions(body);

        return new CompletionRequest
        {
            Model = model,
            Prompt = prompt,
            MaxTokens = maxTokens,
            Stream = stream,
            IncludeUsage = includeUsage,
            Stop = stop,
            Seed = seed,
            Choices = choices,
            Candidates = candidates,
            Echo = OptionalBoolean(body, "echo") ?? false,
            AddSpecialTokens = OptionalBoolean(body, "add_special_tokens") ?? true,
            Suffix = OptionalString(body, "suffix"),
            Logprobs = OptionalInteger(body, "logprobs", 0, MaxLogprobs),
            ResponseFormat = responseFormat,
            Decoding = decoding,
        };
    }

    private static CompletionPrompt ParsePrompt(JsonElement body)
    {
        const string param = "prompt";
        if (!TryGetValue(body, param, out JsonElement prompt))
        {
            throw ApiErrorException.BadRequest("Missing required parameter: 'prompt'.", param);
        }

        switch (prompt.ValueKind)
        {
            case JsonValueKind.String:
                return CompletionPrompt.FromText(NonEmptyText(prompt, param));
            case JsonValueKind.Array:
                int count = prompt.GetArrayLength();
                if (count == 0)
                {
                    throw ApiErrorException.BadRequest("'prompt' must not be empty.", param);
                }

                JsonElement first = prompt[0];
                if (first.ValueKind == JsonValueKind.Number)
                {
                    return CompletionPrompt.FromTokenIds(TokenIds(prompt, param));
                }

                if (first.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
                {
                    throw TypeError("prompt[0]", "a string, a token id or an array of token ids", first);
                }

                // Enumerated, not indexed: JsonElement's indexer walks the array from its start, and a body of 350,000
                // empty arrays would cost a pod minutes.
                int index = 0;
                foreach (JsonElement element in prompt.EnumerateArray())
                {
                    if (element.ValueKind != first.ValueKind)
                    {
                        throw TypeError($"prompt[{index}]", first.ValueKind == JsonValueKind.String ? "a string, as prompt[0] is" : "an array of token ids, as prompt[0] is", element);
                    }

                    index++;
                }

                if (count > 1)
                {
                    throw ApiErrorException.BadRequest(
                        $"Batched prompts are not supported yet: 'prompt' holds {count} prompts; send one prompt per request.", param);
                }

                return first.ValueKind == JsonValueKind.String
                    ? CompletionPrompt.FromText(NonEmptyText(first, param))
                    : CompletionPrompt.FromTokenIds(TokenIds(first, param));
            default:
                throw TypeError(param, "a string, an array of strings, an array of token ids or an array of arrays of token ids", prompt);
        }
    }

    private static string NonEmptyText(JsonElement value, string param)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw TypeError(param, "a string", value);
        }

        string text = value.GetString()!;
        return text.Length > 0 ? text : throw ApiErrorException.BadRequest("'prompt' must not be empty.", param);
    }

    /// <summary>
    /// A JSON array of token ids (integers in [0, 2³¹)), read as the field <paramref name="param"/>; empty only when
    /// <paramref name="allowEmpty"/> is set.
    /// </summary>
    public static int[] TokenIds(JsonElement array, string param, bool allowEmpty = false)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw TypeError(param, "an array of token ids", array);
        }

        int count = array.GetArrayLength();
        if (count == 0 && !allowEmpty)
        {
            throw ApiErrorException.BadRequest($"'{param}' must not be empty.", param);
        }

        var ids = new int[count];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number)
            {
                throw TypeError(param, "token ids (integers)", item);
            }

            long id = ReadInteger(item, param);
            ids[i] = id is >= 0 and <= int.MaxValue ? (int)id : throw OutOfVocabulary(item.GetRawText(), i, null, param);
            i++;
        }

        return ids;
    }

    /// <summary>The 400 for a token id of the field <paramref name="param"/> outside [0, <paramref name="vocabSize"/>).</summary>
    public static ApiErrorException OutOfVocabulary(string id, int index, int? vocabSize, string param) =>
        ApiErrorException.BadRequest(
            vocabSize is { } size
                ? $"Invalid token id in '{param}' at index {index}: {id} is not in [0, {size})."
                : $"Invalid token id in '{param}' at index {index}: {id} is out of range.",
            param);

    /// <summary>
    /// <c>best_of</c> (default <c>n</c>): at least <c>n</c>, at most the server's <c>MaxChoices</c>; above <c>n</c> it
    /// cannot be streamed (the best are known only once every candidate has ended), as OpenAI requires.
    /// </summary>
    private static int ParseBestOf(JsonElement body, int choices, bool stream, int maxChoices)
    {
        const string param = "best_of";
        int bestOf = OptionalInteger(body, param, 1, maxChoices) ?? choices;
        if (bestOf < choices)
        {
            throw ApiErrorException.BadRequest($"'best_of' ({bestOf}) must be at least 'n' ({choices}).", param);
        }

        if (stream && bestOf > choices)
        {
            throw ApiErrorException.BadRequest("'best_of' above 'n' cannot be streamed: the best answers are known only once every candidate has ended.", param);
        }

        return bestOf;
    }

}
