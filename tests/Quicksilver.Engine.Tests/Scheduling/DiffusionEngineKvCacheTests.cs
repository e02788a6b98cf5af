using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.TestModels;
using Xunit.Abstractions;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>
/// Block K/V caching (Fast-dLLM prefix and dual caches) through the step loop: where it must be exact, how far it
/// moves the tokens where it is not, sequences of every mode in one batch, and the cache's memory.
/// </summary>
public sealed class DiffusionEngineKvCacheTests(ITestOutputHelper output)
{
    private const double AgreementFloor = 0.5;

    private static readonly KvCacheMode[] CachedModes = [KvCacheMode.Prefix, KvCacheMode.Dual];

    [Fact]
    public async Task GenerateAsync_OneLayerModel_CachedModesGiveTheNoCacheTokens()
    {
        // With one layer a position's keys and values depend on its own token only, and inside a block no token
        // outside the window changes (the prefix is final, the suffix is still masks): the caches are never stale.
        using var test = new TestEngine(new EngineOptions(), layers: 1);

        await AssertCachedModesGiveTheNoCacheTokens(test, Request(prompt: [3, 1, 4, 1, 5], maxTokens: 24, blockLength: 8, seed: 9) with { Temperature = 0.8f });
    }

    [Fact]
    public async Task GenerateAsync_OneStepPerBlock_CachedModesGiveTheNoCacheTokens()
    {
        // Each block's only step is its refresh: a whole-canvas forward pass, as without a cache.
        using var test = new TestEngine(new EngineOptions(), layers: 3);

        await AssertCachedModesGiveTheNoCacheTokens(test, Request(prompt: [2, 7, 1, 8], maxTokens: 24, blockLength: 8, seed: 4) with { Steps = 3 });
    }

    [Fact]
    public async Task GenerateAsync_CachedModesOnThreeLayers_AgreeWithNoCacheOnMostTokens()
    {
        // Deterministic (fixed weights, greedy, fixed-order CPU arithmetic), so the agreement is a fixed number: 68.2 %
        // for both modes when this test was written (logged below). A random model's near-flat logits let a small
        // change of keys flip an arg-max, and the answer diverges from there; the floor only catches a broken cache.
        using var test = new TestEngine(new EngineOptions(), layers: 3);
        var random = new Random(17);
        GenerationRequest[] requests = Enumerable.Range(0, 6)
            .Select(i => Request(Enumerable.Range(0, 4 + (3 * i)).Select(_ => random.Next(60)).ToArray(), maxTokens: 32, blockLength: 8, seed: (ulong)i))
            .ToArray();
        int[][] exact = await Task.WhenAll(requests.Select(r => test.Collect(r)));

        var agreement = new Dictionary<KvCacheMode, double>();
        foreach (KvCacheMode mode in CachedModes)
        {
            int[][] cached = await Task.WhenAll(requests.Select(r => test.Collect(r with { KvCache = mode })));
            Assert.All(cached, answer => Assert.Equal(32, answer.Length));
            agreement[mode] = exact.Zip(cached).Average(pair => pair.First.Zip(pair.Second).Count(t => t.First == t.Second) / 32.0);
            output.WriteLine($"{mode}: {agreement[mode]:P1} of tokens as without a cache");
        }

        Assert.All(agreement.Values, share => Assert.InRange(share, AgreementFloor, 1.0));
    }

    [Fact]
    public async Task GenerateAsync_NoCachePrefixAndDualInOneBatch_EachGivesItsTokensAlone()
    {
        using var test = new TestEngine(new EngineOptions(), layers: 3);
        GenerationRequest[] requests =
        [
            Request(prompt: [5, 9, 2], maxTokens: 24, blockLength: 4, seed: 1) with { Temperature = 0.7f },
            Request(prompt: [8, 8, 1, 3, 6, 2, 9], maxTokens: 30, blockLength: 6, seed: 2) with { Temperature = 0.7f, KvCache = KvCacheMode.Prefix },
            Request(prompt: [4, 2], maxTokens: 20, blockLength: 10, seed: 3) with { KvCache = KvCacheMode.Dual },
        ];
        var alone = new List<int[]>();
        foreach (GenerationRequest request in requests)
        {
            alone.Add(await test.Collect(request));
        }

        // Started together, with blocks of 4, 6 and 10: the three share steps at different block positions.
        int[][] together = await Task.WhenAll(requests.Select(r => test.Collect(r)));

        Assert.Equal(alone, together);
    }

    [Fact]
    public async Task GenerateAsync_CancelledWhileRunning_FreesItsCache()
    {
        using var test = new TestEngine(new EngineOptions());
        using var cancel = new CancellationTokenSource();
        Task<int[]> running = test.Collect(Request(prompt: [1, 2, 3], maxTokens: 500, blockLength: 500, seed: 1) with { KvCache = KvCacheMode.Dual }, cancel.Token);
        await Eventually.True(() => test.Engine.KvCacheBytesInUse > 0);

        Assert.Equal(OneLayerCacheBytes(503), test.Engine.KvCacheBytesInUse);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(0, test.Engine.KvCacheBytesInUse);
    }

    [Fact]
    public async Task GenerateAsync_Finished_FreesItsCache()
    {
        using var test = new TestEngine(new EngineOptions());

        await test.Collect(Request(prompt: [1, 2, 3], maxTokens: 16, blockLength: 8, seed: 1) with { KvCache = KvCacheMode.Prefix });

        Assert.Equal(0, test.Engine.KvCacheBytesInUse);
    }

    [Fact]
    public async Task GenerateAsync_NoModeInRequest_TakesTheDeploymentDefault()
    {
        using var test = new TestEngine(new EngineOptions { KvCache = KvCacheMode.Dual });
        using var cancel = new CancellationTokenSource();
        Task<int[]> running = test.Collect(Request(prompt: [1, 2, 3], maxTokens: 500, blockLength: 500, seed: 1), cancel.Token);

        await Eventually.True(() => test.Engine.KvCacheBytesInUse == OneLayerCacheBytes(503));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(4, (await test.Collect(Request(prompt: [1], maxTokens: 4, blockLength: 4, seed: 1) with { KvCache = KvCacheMode.None })).Length);
    }

    [Fact]
    public async Task GenerateAsync_CacheLargerThanTheLimit_RefusedNamingKvCache()
    {
        using var test = new TestEngine(new EngineOptions { MaxKvCacheBytes = OneLayerCacheBytes(19) });

        var ex = await Assert.ThrowsAsync<InvalidRequestException>(() => test.Collect(Request(prompt: [1, 2, 3, 4], maxTokens: 16, blockLength: 8, seed: 1) with { KvCache = KvCacheMode.Prefix }));

        Assert.Equal("kv_cache", ex.Param);
        Assert.Contains(OneLayerCacheBytes(20).ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Equal(16, (await test.Collect(Request(prompt: [1, 2, 3, 4], maxTokens: 16, blockLength: 8, seed: 1))).Length);
    }

    [Fact]
    public async Task GenerateAsync_LimitHoldsOneCache_SecondWaitsUntilTheFirstFreesIt()
    {
        using var test = new TestEngine(new EngineOptions { MaxKvCacheBytes = OneLayerCacheBytes(503) });
        GenerationRequest waiting = Request(prompt: [6, 5, 4], maxTokens: 16, blockLength: 8, seed: 2) with { KvCache = KvCacheMode.Prefix };
        int[] alone = await test.Collect(waiting);
        using var cancel = new CancellationTokenSource();
        Task<int[]> first = test.Collect(Request(prompt: [1, 2, 3], maxTokens: 500, blockLength: 500, seed: 1) with { KvCache = KvCacheMode.Dual }, cancel.Token);
        await Eventually.True(() => test.Engine.Load.Running == 1);

        Task<int[]> second = test.Collect(waiting);
        await Eventually.True(() => test.Engine.Load.Waiting == 1);

        Assert.Equal(1, test.Engine.Load.Running);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(alone, await second);
        Assert.Equal(0, test.Engine.KvCacheBytesInUse);
    }

    [Fact]
    public async Task GenerateAsync_ShiftedLogitsModel_CacheRefusedNamingKvCache()
    {
        using var dream = new RandomTransformer(RandomCheckpoint.DreamConfig(), seed: 2, threads: 1);
        using var engine = new DiffusionEngine(dream.Model, new EngineOptions(), new HashSet<int>(), NullLogger<DiffusionEngine>.Instance);
        var request = Request(prompt: [1, 2], maxTokens: 4, blockLength: 4, seed: 1) with { KvCache = KvCacheMode.Dual };

        var ex = await Assert.ThrowsAsync<InvalidRequestException>(async () =>
        {
            await foreach (GenerationUpdate update in engine.GenerateAsync(request, CancellationToken.None))
            {
                Assert.Fail($"no update expected, got {update.Tokens.Count} tokens");
            }
        });

        Assert.Equal("kv_cache", ex.Param);
        Assert.Throws<ArgumentException>(() => new DiffusionEngine(dream.Model, new EngineOptions { KvCache = KvCacheMode.Prefix }, new HashSet<int>(), NullLogger<DiffusionEngine>.Instance));
    }

    private static async Task AssertCachedModesGiveTheNoCacheTokens(TestEngine test, GenerationRequest request)
    {
        int[] exact = await test.Collect(request);
        foreach (KvCacheMode mode in CachedModes)
        {
            Assert.Equal(exact, await test.Collect(request with { KvCache = mode }));
        }
    }

    // TestEngine's model: one layer, 4 key/value heads of 8, fp32 on the CPU backend.
    private static long OneLayerCacheBytes(int canvas) => 1L * 2 * canvas * 32 * sizeof(float);

    private static GenerationRequest Request(int[] prompt, int maxTokens, int blockLength, ulong seed) => new()
    {
        PromptTokens = prompt,
        MaxTokens = maxTokens,
        BlockLength = blockLength,
        Seed = seed,
    };
}
