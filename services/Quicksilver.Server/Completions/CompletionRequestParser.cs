using System.Globalization;
using System.Text.Json;
using Quicksilver.Engine.Decoding;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Completions;

/// <summary>
/// Reads a <c>POST /v1/completions</c> body field by field, so that every mistake is a 400 naming the field
/// (<see cref="ApiErrorException"/>), never a model-binding failure or a 500. Unknown fields are ignored.
/// Checks that need the model (token ids in the vocabulary, context length) happen later, in the endpoint.
/// </summary>
internal static class CompletionRequestParser
{
    /// <summary>The most stop sequences a request may give (OpenAI's limit).</summary>
    public const int MaxStopSequences = 4;

    public static CompletionRequest Parse(JsonElement body, LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ApiErrorException.BadRequest($"The request body must be a JSON object, but got {Describe(body.ValueKind)} instead.", null);
        }

        string? model = OptionalString(body, "model");
        CompletionPrompt prompt = ParsePrompt(body);
        int? maxTokens = OptionalInteger(body, "max_tokens", 1, limits.MaxTokens);
        double temperature = OptionalNumber(body, "temperature", 0, 2) ?? 1.0;
        CheckTopP(body);
        int choices = OptionalInteger(body, "n", 1, limits.MaxChoices) ?? 1;
        CheckOnlyOne(body, "best_of");
        bool stream = OptionalBoolean(body, "stream") ?? false;
        bool includeUsage = ParseStreamOptions(body, stream);
        IReadOnlyList<string> stop = ParseStop(body);
        ulong? seed = ParseSeed(body);
        CheckUnsupported(body);
        OptionalString(body, "user");
        OptionalNumber(body, "presence_penalty", -2, 2);
        OptionalNumber(body, "frequency_penalty", -2, 2);

        return new CompletionRequest
        {
            Model = model,
            Prompt = prompt,
            MaxTokens = maxTokens,
            Temperature = (float)temperature,
            Stream = stream,
            IncludeUsage = includeUsage,
            Stop = stop,
            Seed = seed,
            Choices = choices,
            Echo = OptionalBoolean(body, "echo") ?? false,
            Logprobs = ParseLogprobs(body),
            Steps = OptionalInteger(body, "steps", 1, int.MaxValue),
            BlockLength = OptionalInteger(body, "block_length", 1, int.MaxValue),
            Remasking = ParseRemasking(body),
            Commit = ParseCommitRule(body),
        };
    }

    // The engine scores the token it commits, once; it reports no alternatives, so only logprobs: 0 can be honoured.
    private static bool ParseLogprobs(JsonElement body) => OptionalInteger(body, "logprobs", 0, 5) switch
    {
        null => false,
        0 => true,
        _ => throw ApiErrorException.BadRequest(
            "Only 'logprobs': 0 is supported: a diffusion model scores each token once, at the step that unmasks it, and this server reports that log-probability but no top alternatives.",
            "logprobs"),
    };

    private static (CommitRule Rule, double Parameter) ParseCommitRule(JsonElement body)
    {
        double? threshold = OptionalNumber(body, "threshold", double.Epsilon, 1);
        double? factor = OptionalNumber(body, "factor", double.Epsilon, double.MaxValue);
        return (threshold, factor) switch
        {
            ({ }, { }) => throw ApiErrorException.BadRequest("'threshold' and 'factor' are two different commit rules; send one of them.", "factor"),
            ({ } t, null) => (CommitRule.Threshold, t),
            (null, { } f) => (CommitRule.Factor, f),
            _ => (CommitRule.Schedule, 0),
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

    private static int[] TokenIds(JsonElement array, string param)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw TypeError(param, "an array of token ids", array);
        }

        int count = array.GetArrayLength();
        if (count == 0)
        {
            throw ApiErrorException.BadRequest("'prompt' must not be empty.", param);
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
            ids[i] = id is >= 0 and <= int.MaxValue ? (int)id : throw OutOfVocabulary(item.GetRawText(), i, null);
            i++;
        }

        return ids;
    }

    /// <summary>The 400 for a token id outside [0, <paramref name="vocabSize"/>).</summary>
    public static ApiErrorException OutOfVocabulary(string id, int index, int? vocabSize) =>
        ApiErrorException.BadRequest(
            vocabSize is { } size
                ? $"Invalid token id in 'prompt' at index {index}: {id} is not in [0, {size})."
                : $"Invalid token id in 'prompt' at index {index}: {id} is out of range.",
            "prompt");

    private static void CheckTopP(JsonElement body)
    {
        if (TryGetValue(body, "top_p", out JsonElement value))
        {
            double topP = ReadNumber(value, "top_p");
            if (topP is <= 0 or > 1)
            {
                throw ApiErrorException.BadRequest(
                    $"Invalid value for 'top_p': expected a number greater than 0 and at most 1, but got {value.GetRawText()} instead.", "top_p");
            }
        }
    }

    private static void CheckOnlyOne(JsonElement body, string param)
    {
        int? value = OptionalInteger(body, param, 1, int.MaxValue);
        if (value > 1)
        {
            throw ApiErrorException.BadRequest($"{param} > 1 is not supported yet.", param);
        }
    }

    private static bool ParseStreamOptions(JsonElement body, bool stream)
    {
        const string param = "stream_options";
        if (!TryGetValue(body, param, out JsonElement options))
        {
            return false;
        }

        if (options.ValueKind != JsonValueKind.Object)
        {
            throw TypeError(param, "an object", options);
        }

        if (!stream)
        {
            throw ApiErrorException.BadRequest("'stream_options' is only allowed when 'stream' is true.", param);
        }

        return OptionalBoolean(options, "include_usage", "stream_options.include_usage") ?? false;
    }

    private static string[] ParseStop(JsonElement body)
    {
        const string param = "stop";
        if (!TryGetValue(body, param, out JsonElement stop))
        {
            return [];
        }

        if (stop.ValueKind == JsonValueKind.String)
        {
            return [NonEmptyStop(stop)];
        }

        if (stop.ValueKind != JsonValueKind.Array)
        {
            throw TypeError(param, "a string or an array of strings", stop);
        }

        int count = stop.GetArrayLength();
        if (count > MaxStopSequences)
        {
            throw ApiErrorException.BadRequest($"'stop' may hold at most {MaxStopSequences} sequences, but it holds {count}.", param);
        }

        return [.. stop.EnumerateArray().Select(NonEmptyStop)];
    }

    private static string NonEmptyStop(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw TypeError("stop", "a string or an array of strings", value);
        }

        string text = value.GetString()!;
        return text.Length > 0 ? text : throw ApiErrorException.BadRequest("'stop' sequences must not be empty.", "stop");
    }

    private static ulong? ParseSeed(JsonElement body)
    {
        const string param = "seed";
        if (!TryGetValue(body, param, out JsonElement seed))
        {
            return null;
        }

        if (seed.ValueKind == JsonValueKind.Number)
        {
            if (seed.TryGetInt64(out long signed))
            {
                return unchecked((ulong)signed);
            }

            if (seed.TryGetUInt64(out ulong unsigned))
            {
                return unsigned;
            }

            if (seed.TryGetDouble(out double d) && double.IsInteger(d))
            {
                throw ApiErrorException.BadRequest($"Invalid value for 'seed': {seed.GetRawText()} does not fit in 64 bits.", param);
            }
        }

        throw TypeError(param, "an integer", seed);
    }

    private static void CheckUnsupported(JsonElement body)
    {
        if (OptionalString(body, "suffix") is { Length: > 0 })
        {
            throw ApiErrorException.BadRequest(
                "'suffix' is not supported: this server does not fill in the middle yet. Send the text before the gap as the prompt and leave 'suffix' out.",
                "suffix");
        }

        if (TryGetValue(body, "logit_bias", out JsonElement bias))
        {
            if (bias.ValueKind != JsonValueKind.Object)
            {
                throw TypeError("logit_bias", "an object mapping token ids to biases", bias);
            }

            if (bias.EnumerateObject().Any())
            {
                throw ApiErrorException.BadRequest("'logit_bias' is not supported yet; leave it out or send an empty object.", "logit_bias");
            }
        }
    }

    private static RemaskingStrategy ParseRemasking(JsonElement body)
    {
        return OptionalString(body, "remasking") switch
        {
            null or "low_confidence" => RemaskingStrategy.LowConfidence,
            "random" => RemaskingStrategy.Random,
            "margin" => RemaskingStrategy.Margin,
            "entropy" => RemaskingStrategy.Entropy,
            string other => throw ApiErrorException.BadRequest(
                $"Invalid value for 'remasking': expected 'low_confidence', 'random', 'margin' or 'entropy', but got '{other}' instead.", "remasking"),
        };
    }

    private static bool TryGetValue(JsonElement body, string name, out JsonElement value) =>
        body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string? OptionalString(JsonElement body, string name)
    {
        if (!TryGetValue(body, name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw TypeError(name, "a string", value);
    }

    private static bool? OptionalBoolean(JsonElement body, string name, string? param = null)
    {
        if (!TryGetValue(body, name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw TypeError(param ?? name, "a boolean", value),
        };
    }

    private static int? OptionalInteger(JsonElement body, string name, int min, int max)
    {
        if (!TryGetValue(body, name, out JsonElement value))
        {
            return null;
        }

        long number = ReadInteger(value, name);
        if (number < min)
        {
            throw ApiErrorException.BadRequest($"Invalid value for '{name}': expected an integer of at least {min}, but got {value.GetRawText()} instead.", name);
        }

        if (number > max)
        {
            throw ApiErrorException.BadRequest($"Invalid value for '{name}': expected an integer of at most {max}, but got {value.GetRawText()} instead.", name);
        }

        return (int)number;
    }

    private static long ReadInteger(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out long number))
            {
                return number;
            }

            // 16.0 is an integer too (as in vLLM's validation); numbers beyond 64 bits saturate and fail the range check.
            if (value.TryGetDouble(out double d) && double.IsInteger(d))
            {
                return d < 0 ? long.MinValue : long.MaxValue;
            }
        }

        throw TypeError(name, "an integer", value);
    }

    private static double? OptionalNumber(JsonElement body, string name, double min, double max)
    {
        if (!TryGetValue(body, name, out JsonElement value))
        {
            return null;
        }

        double number = ReadNumber(value, name);
        if (number < min || number > max)
        {
            throw ApiErrorException.BadRequest(
                string.Create(CultureInfo.InvariantCulture, $"Invalid value for '{name}': expected a number between {min} and {max}, but got {value.GetRawText()} instead."),
                name);
        }

        return number;
    }

    private static double ReadNumber(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw TypeError(name, "a number", value);
        }

        return value.TryGetDouble(out double number)
            ? number
            : throw ApiErrorException.BadRequest($"Invalid value for '{name}': {value.GetRawText()} is out of range.", name);
    }

    private static ApiErrorException TypeError(string param, string expected, JsonElement value) =>
        ApiErrorException.BadRequest($"Invalid type for '{param}': expected {expected}, but got {Describe(value.ValueKind)} instead.", param.Split('[')[0]);

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
