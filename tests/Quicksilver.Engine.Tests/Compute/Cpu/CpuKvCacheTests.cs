using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Compute.Tests;

namespace Quicksilver.Engine.Compute.Cpu.Tests;

public sealed class CpuKvCacheTests : IDisposable
{
    private readonly CpuBackend _backend = new(new CpuBackendOptions { Threads = 2 });

    [Fact]
    public void Attention_KeysWrittenToACache_BitIdenticalToThePackedKeys()
    {
        var random = new Random(3);
        var scenario = new CachedAttentionScenario(count => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray());

        Assert.Equal(scenario.Attend(_backend, fromCache: false), scenario.Attend(_backend, fromCache: true));
    }

    [Theory]
    [InlineData(0, 10, 3)] // positions past the cache
    [InlineData(2, 0, 3)]  // rows past the buffer's rows in use
    [InlineData(0, 0, 5)]  // a layer the cache does not have
    public void WriteKvCache_OutOfRange_Throws(int sourceRow, int position, int layer)
    {
        using IDeviceBuffer keys = _backend.Allocate(4, 8), values = _backend.Allocate(4, 8);
        using IKvCache cache = _backend.AllocateKvCache(4, 12, 8);

        Assert.ThrowsAny<ArgumentException>(() => _backend.WriteKvCache(keys, values, layer, [new KvCacheWrite(cache, sourceRow, position, 3)]));
    }

    [Fact]
    public void Attention_CacheDisposed_ThrowsObjectDisposed()
    {
        using IDeviceBuffer queries = _backend.Allocate(1, 8), keys = _backend.Allocate(1, 8), values = _backend.Allocate(1, 8), output = _backend.Allocate(1, 8);
        IKvCache cache = _backend.AllocateKvCache(1, 4, 8);
        cache.Dispose();
        var layout = new AttentionLayout([0, 1], [new AttentionKeys(0, 4, cache)]);

        Assert.Throws<ObjectDisposedException>(() => _backend.Attention(queries, keys, values, layout, 1, 1, 8, output));
    }

    [Fact]
    public void KvCacheBytes_LayersTimesKeysAndValuesTimesPositionsTimesWidth_InFp32()
    {
        using IKvCache cache = _backend.AllocateKvCache(3, 100, 64);

        Assert.Equal(3L * 2 * 100 * 64 * 4, _backend.KvCacheBytes(3, 100, 64));
        Assert.Equal(_backend.KvCacheBytes(3, 100, 64), cache.Bytes);
    }

    public void Dispose() => _backend.Dispose();
}
