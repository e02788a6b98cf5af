using System.Text.Json.Serialization;

namespace Quicksilver.Server.Wire;

/// <summary>The values of the <c>remasking</c> extension field.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RemaskingName>))]
internal enum RemaskingName
{
    /// <summary>Commit the most confident predictions first (LLaDA's default).</summary>
    [JsonStringEnumMemberName("low_confidence")]
    LowConfidence,

    /// <summary>Commit random masked positions.</summary>
    [JsonStringEnumMemberName("random")]
    Random,

    /// <summary>Commit the largest top-1 minus top-2 probability margins first (Dream's <c>topk_margin</c>).</summary>
    [JsonStringEnumMemberName("margin")]
    Margin,

    /// <summary>Commit the lowest-entropy positions first (Dream's <c>entropy</c>).</summary>
    [JsonStringEnumMemberName("entropy")]
    Entropy,

    /// <summary>Reveal each masked position independently with probability 1 − s/t (Dream's <c>origin</c>).</summary>
    [JsonStringEnumMemberName("origin")]
    Origin,
}
