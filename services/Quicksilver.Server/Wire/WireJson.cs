using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Quicksilver.Server.Wire;

/// <summary>The serializer settings of the OpenAI endpoints.</summary>
internal static class WireJson
{
    /// <summary>
    /// The generated metadata over options that write non-ASCII text as UTF-8 rather than <c>\uXXXX</c> escapes.
    /// Safe for SSE: JSON strings never hold a raw line break.
    /// </summary>
    public static QuicksilverJsonContext Context { get; } = new(CreateOptions());

    /// <summary>Applies the wire settings to other options (those of minimal APIs and the OpenAPI generator).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.TypeInfoResolverChain.Insert(0, QuicksilverJsonContext.Default);
    }

    private static JsonSerializerOptions CreateOptions() => new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
