using System.Globalization;
using System.Text.Json;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// A pod's own load report: requests queued, sequences running, their tokens, and whether it is draining; from
/// <c>GET /load</c> also its answer limits and whether it is ready (what its <c>/health/ready</c> answers), which the
/// header does not carry (null: not said).
/// </summary>
internal sealed record PodLoad(int Waiting, int Running, int TokensInFlight, bool Draining, AnswerLimits? Limits = null, bool? Ready = null)
{
    /// <summary>The response header pods piggy-back their load on: <c>waiting=2, running=5, tokens=1234</c>.</summary>
    public const string HeaderName = "X-Quicksilver-Load";

    /// <summary>Parses <see cref="HeaderName"/>; null when malformed.</summary>
    public static PodLoad? ParseHeader(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        int? waiting = null, running = null, tokens = null;
        foreach (string part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !int.TryParse(part.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                return null;
            }

            switch (part[..equals])
            {
                case "waiting": waiting = number; break;
                case "running": running = number; break;
                case "tokens": tokens = number; break;
                default: break;
            }
        }

        return waiting is { } w && running is { } r ? new PodLoad(w, r, tokens ?? 0, Draining: false) : null;
    }

    /// <summary>Parses the body of a pod's <c>GET /load</c>; null when malformed.</summary>
    public static PodLoad? ParseReport(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            return new PodLoad(
                root.GetProperty("waiting").GetInt32(),
                root.GetProperty("running").GetInt32(),
                root.TryGetProperty("tokens_in_flight", out JsonElement tokens) ? tokens.GetInt32() : 0,
                root.TryGetProperty("draining", out JsonElement draining) && draining.GetBoolean(),
                PositiveInt(root, "max_tokens") is { } maxTokens && PositiveInt(root, "chat_default_max_tokens") is { } chatDefault
                    ? new AnswerLimits(maxTokens, Math.Min(chatDefault, maxTokens))
                    : null,
                root.TryGetProperty("ready", out JsonElement ready) && ready.ValueKind is JsonValueKind.True or JsonValueKind.False ? ready.GetBoolean() : null);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>An optional limit: a positive 32-bit integer, else unknown (an odd value must not cost the load it came with).</summary>
    private static int? PositiveInt(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number > 0
            ? number
            : null;
}
