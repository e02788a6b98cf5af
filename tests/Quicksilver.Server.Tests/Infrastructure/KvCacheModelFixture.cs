namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// REAL ENGINE: <see cref="TinyModelFixture"/> deployed with <c>Quicksilver:Engine:KvCache</c> <c>dual</c> and an 8 KiB
/// <c>MaxKvCacheBytes</c>: the test model keeps 512 bytes of cache per canvas token (2 layers × keys and values × 32
/// fp32), so the limit holds a canvas of 16.
/// </summary>
public sealed class KvCacheModelFixture() : TinyModelFixture(Settings)
{
    /// <summary>The deployment's K/V cache settings.</summary>
    internal static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Quicksilver:Engine:KvCache"] = "dual",
        ["Quicksilver:Engine:MaxKvCacheBytes"] = "8192",
    };
}
