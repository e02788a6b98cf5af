using System.Text.Json.Serialization;

namespace Quicksilver.Server.Wire;

/// <summary>The values of the <c>kv_cache_refresh</c> extension field.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KvCacheRefreshName>))]
internal enum KvCacheRefreshName
{
    /// <summary>Every refresh recomputes the whole canvas (Fast-dLLM).</summary>
    [JsonStringEnumMemberName("canvas")]
    Canvas,

    /// <summary>Refreshes after the first start at the answer: the prompt keeps its first keys and values.</summary>
    [JsonStringEnumMemberName("answer")]
    Answer,

    /// <summary>Later refreshes start at the block just finished; the prompt and earlier blocks keep theirs.</summary>
    [JsonStringEnumMemberName("frontier")]
    Frontier,
}
