using System.Text.Json.Serialization;

namespace Quicksilver.Server.Wire;

/// <summary>The values of the <c>kv_cache</c> extension field.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KvCacheName>))]
internal enum KvCacheName
{
    /// <summary>No cache: every step computes the whole canvas (exact).</summary>
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>Fast-dLLM prefix cache: later steps of a block compute the block and its suffix against the cached prefix.</summary>
    [JsonStringEnumMemberName("prefix")]
    Prefix,

    /// <summary>Fast-dLLM dual cache: later steps of a block compute only the block against the cached prefix and suffix.</summary>
    [JsonStringEnumMemberName("dual")]
    Dual,
}
