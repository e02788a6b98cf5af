using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
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

    private static readonly KvCacheRefresh[] LaterRefreshes = [KvCacheRefresh.Answer, KvCacheRefresh.Frontier];

    [Theory]
    [InlineData(ModelArchitecture.LLaDA)]
    [InlineData(ModelArchitecture.Dream)]
    public async Task GenerateAsync_OneLayerModel_CachedModesGiveTheNoCacheTokens(ModelArchitecture architecture)
    {
        // With one layer a position's keys and values depend on its own token only, and inside a block no token
        // outside the window changes (the prefix is final, the suffix is still masks): the caches are never stale,
        // nor are the prompt's and the finished blocks' rows that a later refresh leaves in the cache.
        using var test = new TestEngine(new EngineOptions(), layers: 1, architecture: architecture);

        await AssertCachedModesGiveTheNoCacheTokens(
            test, Request(prompt: [3, 1, 4, 1, 5], maxTokens: 24, blockLength: 8, seed: 9) with { Temperature = 0.8f }, [KvCacheRefresh.Canvas, .. LaterRefreshes]);
    }

    [Theory]
    [InlineData(ModelArchitecture.LLaDA)]
    [InlineData(ModelArchitecture.Dream)]
    public async Task GenerateAsync_OneStepPerBlock_CachedModesGiveTheNoCacheTokens(ModelArchitecture architecture)
    {
        // Each block's only step is its refresh: a whole-canvas forward pass, as without a cache.
        using var test = new TestEngine(new EngineOptions(), layers: 3, architecture: architecture);

        await AssertCachedModesGiveTheNoCacheTokens(test, Request(prompt: [2, 7, 1, 8], maxTokens: 24, blockLength: 8, seed: 4) with { Steps = 3 }, [KvCacheRefresh.Canvas]);
    }

    [Theory]
    [InlineData(ModelArchitecture.LLaDA)]
    [InlineData(ModelArchitecture.Dream)]
    [InlineData(ModelArchitecture.Sdar)]
    [InlineData(ModelArchitecture.FastDllmV2)]
    public async Task GenerateAsync_BlockCausalThreeLayers_CachedModesGiveTheNoCacheTokens(ModelArchitecture architecture)
    {
        // Block-causal attention over blocks of 6: the decoding blocks of 8 straddle them at every prompt length, the
        // windows grow to whole attention blocks, and the caches are exact at every step however deep the model. Their
        // refresh is already exact from the finished block on, so a later refresh changes nothing.
        using var test = new TestEngine(new EngineOptions(), layers: 3, architecture: architecture, attentionBlockLength: 6);

        foreach (int[] prompt in new[] { new[] { 3, 1, 4, 1 }, [2, 7, 1, 8, 2, 8, 1], [1, 6, 1, 8, 0, 3, 3, 9, 8] })
        {
            await AssertCachedModesGiveTheNoCacheTokens(
                test, Request(prompt, maxTokens: 24, blockLength: 8, seed: (ulong)prompt.Length) with { Temperature = 0.8f }, [KvCacheRefresh.Canvas, .. LaterRefreshes]);
        }
    }

    [Theory]
    [InlineData(ModelArchitecture.LLaDA)]
    [InlineData(ModelArchitecture.Dream)]
    public async Task GenerateAsync_CachedModesOnThreeLayers_AgreeWithNoCacheOnMostTokens(ModelArchitecture architecture)
    {
        // Deterministic (fixed weights, greedy, fixed-order CPU arithmetic), so the agreement is a fixed number per
        // model and mode (logged below; when this test was written: LLaDA 68.2 % for both modes, Dream 71.4 % prefix and
        // 74.0 % dual). A random model's near-flat logits let a small change of keys flip an arg-max, and the answer
        // diverges from there. Two bounds catch a broken cache: the floor, and the chance level of these models, the
        // best agreement between the no-cache answers of different prompts (LLaDA 62.5 %: its random weights favour a
        // few tokens whatever the prompt; Dream 27.1 %), which a cached answer must beat. The later refreshes leave
        // whole rows stale for several blocks and are held to the floor only: on the random LLaDA model they keep
        // 63.5–64.1 % (answer) and 56.8–57.3 % (frontier), the frontier below that model's chance level; Dream
        // 73.4–75.5 % and 70.3–72.9 %. Their accuracy on a trained model is measured, not asserted here
        // (docs/benchmarks/kv-refresh-2026-11-30.md).
        using var test = new TestEngine(new EngineOptions(), layers: 3, architecture: architecture);
        var random = new Random(17);
        GenerationRequest[] requests = Enumerable.Range(0, 6)
            .Select(i => Request(Enumerable.Range(0, 4 + (3 * i)).Select(_ => random.Next(60)).ToArray(), maxTokens: 32, blockLength: 8, seed: (ulong)i))
            .ToArray();
        int[][] exact = await Task.WhenAll(requests.Select(r => test.Collect(r)));
        double chance = Enumerable.Range(1, exact.Length - 1).Max(shift => Agreement(exact, exact.Skip(shift).Concat(exact.Take(shift)).ToArray()));
        output.WriteLine($"{architecture}: {chance:P1} of tokens as the answer to another prompt");

        var agreement = new Dictionary<(KvCacheMode, KvCacheRefresh), double>();
        foreach (KvCacheMode mode in CachedModes)
        {
            foreach (KvCacheRefresh refresh in (KvCacheRefresh[])[KvCacheRefresh.Canvas, .. LaterRefreshes])
            {
                int[][] cached = await Task.WhenAll(requests.Select(r => test.Collect(r with { KvCache = mode, KvCacheRefresh = refresh })));
                Assert.All(cached, answer => Assert.Equal(32, answer.Length));
                agreement[(mode, refresh)] = Agreement(exact, cached);
                output.WriteLine($"{architecture} {mode}, refresh {refresh}: {agreement[(mode, refresh)]:P1} of tokens as without a cache");
            }
        }

        Assert.All(agreement.Values, share => Assert.InRange(share, AgreementFloor, 1.0));
        Assert.All(
            agreement.Where(a => a.Key.Item2 == KvCacheRefresh.Canvas).Select(a => a.Value),
            share => Assert.True(share > chance, $"{share:P1} of cached tokens agree, no more than the {chance:P1} of another prompt's answer"));
    }

    [Theory]
    [InlineData(ModelArchitecture.LLaDA)]
    [InlineData(ModelArchitecture.Dream)]
    public async Task GenerateAsync_EveryCacheConfigurationInOneBatch_EachGivesItsTokensAlone(ModelArchitecture architecture)
    {
        using var test = new TestEngine(new EngineOptions(), layers: 3, architecture: architecture);
        GenerationRequest[] requests =
        [
            Request(prompt: [5, 9, 2], maxTokens: 24, blockLength: 4, seed: 1) with { Temperature = 0.7f },
            Request(prompt: [8, 8, 1, 3, 6, 2, 9], maxTokens: 30, blockLength: 6, seed: 2) with { Temperature = 0.7f, KvCache = KvCacheMode.Prefix },
            Request(prompt: [4, 2], maxTokens: 20, blockLength: 10, seed: 3) with { KvCache = KvCacheMode.Dual },
            Request(prompt: [7, 1, 7, 1, 3], maxTokens: 24, blockLength: 6, seed: 4) with { KvCache = KvCacheMode.Dual, KvCacheRefresh = KvCacheRefresh.Frontier },
            Request(prompt: [2, 9, 9], maxTokens: 16, blockLength: 4, seed: 5) with { KvCache = KvCacheMode.Prefix, KvCacheRefresh = KvCacheRefresh.Answer },
        ];
        var alone = new List<int[]>();
        foreach (GenerationRequest request in requests)
        {
            alone.Add(await test.Collect(request));
        }

        // Started together, with blocks of 4, 6 and 10: they share steps at different block positions, the later
        // refreshes' windows starting after row 0 beside whole-canvas ones.
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
    public async Task GenerateAsync_NoRefreshInRequest_TakesTheDeploymentDefault()
    {
        // Three layers, one token per step: the prompt's rows are stale after the first block unless refreshed, so the
        // frontier refresh moves this answer (checked below), and the deployment's default must move it the same way.
        GenerationRequest request = Request(prompt: [9, 4, 2, 7, 7, 1], maxTokens: 24, blockLength: 8, seed: 5) with { KvCache = KvCacheMode.Dual };
        using var canvas = new TestEngine(new EngineOptions(), layers: 3);
        using var frontier = new TestEngine(new EngineOptions { KvCacheRefresh = KvCacheRefresh.Frontier }, layers: 3);

        int[] defaultRefresh = await frontier.Collect(request);

        Assert.Equal(await canvas.Collect(request with { KvCacheRefresh = KvCacheRefresh.Frontier }), defaultRefresh);
        Assert.NotEqual(await canvas.Collect(request), defaultRefresh);
        Assert.Equal(await canvas.Collect(request), await frontier.Collect(request with { KvCacheRefresh = KvCacheRefresh.Canvas }));
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
    public async Task GenerateAsync_ShiftedLogitsModelWithDeploymentDefault_CachesAndAnswers()
    {
        // Dream (shifted logits) used to refuse caching; now a deployment default of prefix is taken and held.
        using var test = new TestEngine(new EngineOptions { KvCache = KvCacheMode.Prefix }, architecture: ModelArchitecture.Dream);
        using var cancel = new CancellationTokenSource();
        Task<int[]> running = test.Collect(Request(prompt: [1, 2, 3], maxTokens: 500, blockLength: 500, seed: 1), cancel.Token);

        // One layer, 2 key/value heads of 8, fp32.
        await Eventually.True(() => test.Engine.KvCacheBytesInUse == 1L * 2 * 503 * 16 * sizeof(float));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(8, (await test.Collect(Request(prompt: [1, 2], maxTokens: 8, blockLength: 4, seed: 1) with { KvCache = KvCacheMode.Dual })).Length);
    }

    private static async Task AssertCachedModesGiveTheNoCacheTokens(TestEngine test, GenerationRequest request, KvCacheRefresh[] refreshes)
    {
        int[] exact = await test.Collect(request);
        foreach (KvCacheMode mode in CachedModes)
        {
            foreach (KvCacheRefresh refresh in refreshes)
            {
                Assert.Equal(exact, await test.Collect(request with { KvCache = mode, KvCacheRefresh = refresh }));
            }
        }
    }

    // The share of answer tokens equal in the same place, averaged over the answers.
    private static double Agreement(int[][] expected, int[][] actual) =>
        expected.Zip(actual).Average(pair => pair.First.Zip(pair.Second).Count(t => t.First == t.Second) / (double)pair.First.Length);

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
