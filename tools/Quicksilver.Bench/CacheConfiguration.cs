using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Bench;

/// <summary>
/// A K/V cache configuration the cache benchmarks compare (<c>--kv-cache</c>, the GPU harness's <c>decode</c>), named
/// as the tables print it.
/// </summary>
internal sealed record CacheConfiguration(string Name, KvCacheMode Mode, KvCacheRefresh Refresh)
{
    /// <summary>No cache first: every other row is compared with it.</summary>
    public static readonly IReadOnlyList<CacheConfiguration> Compared =
    [
        new("none", KvCacheMode.None, KvCacheRefresh.Canvas),
        new("prefix", KvCacheMode.Prefix, KvCacheRefresh.Canvas),
        new("dual", KvCacheMode.Dual, KvCacheRefresh.Canvas),
        new("dual+answer", KvCacheMode.Dual, KvCacheRefresh.Answer),
        new("dual+frontier", KvCacheMode.Dual, KvCacheRefresh.Frontier),
    ];

    /// <summary>Whether this is the exact path the others are compared with.</summary>
    public bool IsExact => Mode == KvCacheMode.None;

    /// <summary>The request decoding with this configuration.</summary>
    public GenerationRequest Apply(GenerationRequest request) => request with { KvCache = Mode, KvCacheRefresh = Refresh };
}
