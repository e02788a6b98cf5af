using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Completions;

/// <summary>
/// Reads the fields of an OpenAI request body that <c>/v1/completions</c> and <c>/v1/chat/completions</c> share, so
/// that every mistake is a 400 naming the field (<see cref="ApiErrorException"/>). A field that is absent or null
/// takes its default. Parsers import it with <c>using static</c>.
/// </summary>
internal static partial class RequestFieldReader
{
    /// <summary>2^63: a JSON number written with a fraction or exponent is whole and fits a long only below it.</summary>
    private const double TwoToThe63 = 9223372036854775808d;

    /// <summary>The most stop sequences a request may give (OpenAI's limit).</summary>
    public const int MaxStopSequences = 4;

    /// <summary>
    /// The sampling and diffusion fields both endpoints share: <c>temperature</c> in [0, 2], <c>top_p</c> in (0, 1],
    /// <c>top_k</c> (≥ 1, or 0 / -1 to disable it, vLLM's convention), <c>alg_temp</c> ≥ 0, <c>steps</c>,
    /// <c>block_length</c>, <c>remasking</c>, <c>threshold</c> / <c>factor</c>, <c>kv_cache</c>,
    /// <c>kv_cache_refresh</c>, <c>ignore_eos</c>, <c>presence_penalty</c> and <c>frequency_penalty</c> in [-2, 2], and
    /// <c>logit_bias</c> (at most <paramref name="maxLogitBiasEntries"/> entries).
    /// </summary>
    public static DecodingFields ParseDecoding(JsonElement body, int maxLogitBiasEntries) => new()
    {
        Temperature = OptionalNumber(body, "temperature", 0, 2),
        TopP = OptionalNumber(body, "top_p", double.Epsilon, 1, "a number greater than 0 and at most 1"),
        TopK = ParseTopK(body),
        AlgorithmTemperature = OptionalNumber(body, "alg_temp", 0, double.MaxValue, "a number of at least 0 (0 commits the most confident positions)"),
        Steps = OptionalInteger(body, "steps", 1, int.MaxValue),
        BlockLength = OptionalInteger(body, "block_length", 1, int.MaxValue),
        Remasking = ParseRemasking(body),
        Commit = ParseCommitRule(body),
        KvCache = ParseKvCache(body),
        KvCacheRefresh = ParseKvCacheRefresh(body),
        IgnoreEos = OptionalBoolean(body, "ignore_eos") ?? false,
        LogitBias = ParseLogitBias(body, maxLogitBiasEntries),
        PresencePenalty = OptionalNumber(body, "presence_penalty", -2, 2) ?? 0,
        FrequencyPenalty = OptionalNumber(body, "frequency_penalty", -2, 2) ?? 0,
    };

    /// <summary><c>top_k</c>: an integer ≥ 1, or 0 or -1 for no top-k (both read as 0).</summary>
    private static int? ParseTopK(JsonElement body)
    {
        const string param = "top_k";
        if (!TryGetValue(body, param, out JsonElement value))
        {
            return null;
        }

        long topK = ReadInteger(value, param);
        return topK switch
        {
            -1 or 0 => 0,
            >= 1 and <= int.MaxValue => (int)topK,
            > int.MaxValue => throw ApiErrorException.BadRequest(
                $"Invalid value for 'top_k': expected an integer of at most {int.MaxValue}, but got {value.GetRawText()} instead.", param),
            _ => throw ApiErrorException.BadRequest(
                $"Invalid value for 'top_k': expected an integer of at least 1, or 0 or -1 to disable it, but got {value.GetRawText()} instead.", param),
        };
    }

    /// <summary>
    /// <c>stream_options</c> (an object, only with <c>stream: true</c>); returns <c>include_usage</c>. vLLM's
    /// <c>continuous_usage_stats</c> is refused when true.
    /// </summary>
    public static bool ParseStreamOptions(JsonElement body, bool stream)
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

        if (OptionalBoolean(options, "continuous_usage_stats", "stream_options.continuous_usage_stats") == true)
        {
            throw ApiErrorException.BadRequest(
                "'stream_options.continuous_usage_stats' (vLLM's usage on every chunk) is not supported by this server; leave it out " +
                "or send false, and ask for the usage chunk at the end with 'include_usage'.",
                "stream_options.continuous_usage_stats");
        }

        return OptionalBoolean(options, "include_usage", "stream_options.include_usage") ?? false;
    }

    /// <summary><c>stop</c>: a string or up to <see cref="MaxStopSequences"/> strings, none empty.</summary>
    public static string[] ParseStop(JsonElement body)
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

    /// <summary><c>seed</c>: any 64-bit integer (negative ones wrap, as a Python client's would).</summary>
    public static ulong? ParseSeed(JsonElement body)
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

            bool integerLiteral = seed.GetRawText().AsSpan().IndexOfAny(".eE") < 0;
            if (integerLiteral)
            {
                throw ApiErrorException.BadRequest($"Invalid value for 'seed': {seed.GetRawText()} does not fit in 64 bits.", param);
            }

            // Only a number written with a fraction or exponent: an integer literal past 64 bits would round into range.
            if (seed.TryGetDouble(out double d) && double.IsInteger(d))
            {
                return d switch
                {
                    >= -TwoToThe63 and < TwoToThe63 => unchecked((ulong)(long)d),
                    >= 0 and < 2 * TwoToThe63 => (ulong)d,
                    _ => throw ApiErrorException.BadRequest($"Invalid value for 'seed': {seed.GetRawText()} does not fit in 64 bits.", param),
                };
            }
        }

        throw TypeError(param, "an integer", seed);
    }

    /// <summary>
    /// The commit-rule extension fields: <c>threshold</c> in (0, 1] or <c>factor</c> &gt; 0 (Fast-dLLM), exclusive;
    /// neither is null (the default rule).
    /// </summary>
    private static (CommitRule Rule, double Parameter)? ParseCommitRule(JsonElement body)
    {
        double? threshold = OptionalNumber(body, "threshold", double.Epsilon, 1, "a number greater than 0 and at most 1");
        double? factor = OptionalNumber(body, "factor", double.Epsilon, double.MaxValue, "a number greater than 0");
        return (threshold, factor) switch
        {
            ({ }, { }) => throw ApiErrorException.BadRequest("'threshold' and 'factor' are two different commit rules; send one of them.", "factor"),
            ({ } t, null) => (CommitRule.Threshold, t),
            (null, { } f) => (CommitRule.Factor, f),
            _ => null,
        };
    }

    /// <summary>
    /// <c>logit_bias</c>: an object mapping token ids (integer strings, as OpenAI's SDKs send them) to numbers in
    /// [-100, 100], at most <paramref name="maxEntries"/> of them, each token once. Whether the ids are in the
    /// vocabulary is checked with the model (<see cref="DecodingFields.ToGenerationRequest"/>, and the engine).
    /// </summary>
    private static TokenBias[] ParseLogitBias(JsonElement body, int maxEntries)
    {
        const string param = "logit_bias";
        if (!TryGetValue(body, param, out JsonElement map))
        {
            return [];
        }

        if (map.ValueKind != JsonValueKind.Object)
        {
            throw TypeError(param, "an object mapping token ids to biases", map);
        }

        var biases = new List<TokenBias>();
        var tokens = new HashSet<int>();
        foreach (JsonProperty entry in map.EnumerateObject())
        {
            if (biases.Count == maxEntries)
            {
                throw ApiErrorException.BadRequest($"'logit_bias' may hold at most {maxEntries} entries.", param);
            }

            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int token))
            {
                throw ApiErrorException.BadRequest($"Invalid key in 'logit_bias': expected a token id (a non-negative integer), but got '{entry.Name}' instead.", param);
            }

            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetDouble(out double bias) || !(Math.Abs(bias) <= TokenBias.Limit))
            {
                throw ApiErrorException.BadRequest($"Invalid value in 'logit_bias' for token {token}: expected a number from -100 to 100, but got {entry.Value.GetRawText()} instead.", param);
            }

            if (!tokens.Add(token))
            {
                throw ApiErrorException.BadRequest($"'logit_bias' names token {token} more than once.", param);
            }

            biases.Add(new TokenBias(token, (float)bias));
        }

        return [.. biases];
    }

    /// <summary>
    /// The <c>remasking</c> extension field: <c>low_confidence</c>, <c>random</c>, <c>margin</c>, <c>entropy</c> or
    /// <c>origin</c>; absent or null leaves the model's default (<see cref="SamplingDefaults"/>).
    /// </summary>
    private static RemaskingStrategy? ParseRemasking(JsonElement body)
    {
        return OptionalString(body, "remasking") switch
        {
            null => null,
            "low_confidence" => RemaskingStrategy.LowConfidence,
            "random" => RemaskingStrategy.Random,
            "margin" => RemaskingStrategy.Margin,
            "entropy" => RemaskingStrategy.Entropy,
            "origin" => RemaskingStrategy.Origin,
            string other => throw ApiErrorException.BadRequest(
                $"Invalid value for 'remasking': expected 'low_confidence', 'random', 'margin', 'entropy' or 'origin', but got '{other}' instead.", "remasking"),
        };
    }

    /// <summary>
    /// The <c>kv_cache</c> extension field: <c>none</c>, <c>prefix</c> or <c>dual</c> (Fast-dLLM block caches); absent
    /// or null leaves the deployment's default.
    /// </summary>
    private static KvCacheMode? ParseKvCache(JsonElement body)
    {
        return OptionalString(body, "kv_cache") switch
        {
            null => null,
            "none" => KvCacheMode.None,
            "prefix" => KvCacheMode.Prefix,
            "dual" => KvCacheMode.Dual,
            string other => throw ApiErrorException.BadRequest(
                $"Invalid value for 'kv_cache': expected 'none', 'prefix' or 'dual', but got '{other}' instead.", "kv_cache"),
        };
    }

    /// <summary>
    /// The <c>kv_cache_refresh</c> extension field: <c>canvas</c>, <c>answer</c> or <c>frontier</c> (which rows a block's
    /// refresh recomputes); absent or null leaves the deployment's default. It has no effect without a <c>kv_cache</c>.
    /// </summary>
    private static KvCacheRefresh? ParseKvCacheRefresh(JsonElement body)
    {
        return OptionalString(body, "kv_cache_refresh") switch
        {
            null => null,
            "canvas" => KvCacheRefresh.Canvas,
            "answer" => KvCacheRefresh.Answer,
            "frontier" => KvCacheRefresh.Frontier,
            string other => throw ApiErrorException.BadRequest(
                $"Invalid value for 'kv_cache_refresh': expected 'canvas', 'answer' or 'frontier', but got '{other}' instead.",
                "kv_cache_refresh"),
        };
    }

    /// <summary>The field's value, when present and not null (null counts as absent, as in OpenAI's API).</summary>
    public static bool TryGetValue(JsonElement body, string name, out JsonElement value) =>
        body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    public static string? OptionalString(JsonElement body, string name)
    {
        if (!TryGetValue(body, name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw TypeError(name, "a string", value);
    }

    public static bool? OptionalBoolean(JsonElement body, string name, string? param = null)
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

    public static int? OptionalInteger(JsonElement body, string name, int min, int max)
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

    public static long ReadInteger(JsonElement value, string name)
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
                return d switch
                {
                    < -TwoToThe63 => long.MinValue,
                    >= TwoToThe63 => long.MaxValue,
                    _ => (long)d,
                };
            }
        }

        throw TypeError(name, "an integer", value);
    }

    /// <param name="body">The request body.</param>
    /// <param name="name">The field.</param>
    /// <param name="min">Smallest value allowed.</param>
    /// <param name="max">Largest value allowed.</param>
    /// <param name="expected">The range in words for the 400; "a number between min and max" by default.</param>
    public static double? OptionalNumber(JsonElement body, string name, double min, double max, string? expected = null)
    {
        if (!TryGetValue(body, name, out JsonElement value))
        {
            return null;
        }

        double number = ReadNumber(value, name);
        if (number < min || number > max)
        {
            expected ??= string.Create(CultureInfo.InvariantCulture, $"a number between {min} and {max}");
            throw ApiErrorException.BadRequest($"Invalid value for '{name}': expected {expected}, but got {value.GetRawText()} instead.", name);
        }

        return number;
    }

    public static double ReadNumber(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw TypeError(name, "a number", value);
        }

        return value.TryGetDouble(out double number)
            ? number
            : throw ApiErrorException.BadRequest($"Invalid value for '{name}': {value.GetRawText()} is out of range.", name);
    }

    /// <summary>An object field of an object inside the body, named by its path (<c>tools[0].function</c>).</summary>
    public static JsonElement RequiredObject(JsonElement parent, string name, string path)
    {
        string field = $"{path}.{name}";
        if (!TryGetValue(parent, name, out JsonElement value))
        {
            throw ApiErrorException.BadRequest($"Missing required parameter: '{field}'.", field);
        }

        return value.ValueKind == JsonValueKind.Object ? value : throw TypeErrorAt(field, "an object", value);
    }

    /// <summary>Checks that an optional field of an object inside the body, when present, is a string.</summary>
    public static void OptionalStringAt(JsonElement parent, string name, string path)
    {
        if (TryGetValue(parent, name, out JsonElement value) && value.ValueKind != JsonValueKind.String)
        {
            throw TypeErrorAt($"{path}.{name}", "a string", value);
        }
    }

    /// <summary>OpenAI's rule for the names a request gives (a function's, a response format's).</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    public static partial Regex OpenAiName();

    /// <summary>A string field of an object inside the body, named by its path (<c>messages[1].role</c>).</summary>
    public static string RequiredString(JsonElement message, string name, string path)
    {
        string field = $"{path}.{name}";
        if (!TryGetValue(message, name, out JsonElement value))
        {
            throw ApiErrorException.BadRequest($"Missing required parameter: '{field}'.", field);
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw TypeErrorAt(field, "a string", value);
    }

    // Unlike TypeError, names the whole path as the param: a message's fields are told apart by their index.
    public static ApiErrorException TypeErrorAt(string field, string expected, JsonElement value) =>
        ApiErrorException.BadRequest($"Invalid type for '{field}': expected {expected}, but got {Describe(value.ValueKind)} instead.", field);

    /// <summary>The 400 for a value of the wrong JSON type; <c>param</c> is the field's name without any index.</summary>
    public static ApiErrorException TypeError(string param, string expected, JsonElement value) =>
        ApiErrorException.BadRequest($"Invalid type for '{param}': expected {expected}, but got {Describe(value.ValueKind)} instead.", param.Split('[')[0]);

    /// <summary>A JSON kind in words, for messages.</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
