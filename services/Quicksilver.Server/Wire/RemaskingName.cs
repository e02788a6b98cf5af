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
}
