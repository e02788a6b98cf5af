using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Scheduling;

public sealed class DiffusionEngineTests : IDisposable
{
    private readonly RandomCheckpoint _checkpoint;
    private readonly ITensorSource _tensors;
    private readonly CpuBackend _backend;
    private readonly DiffusionTransformer _model;
    private readonly DiffusionEngine _engine;

    public DiffusionEngineTests()
    {
        ModelConfig config = RandomCheckpoint.LLaDAConfig(vocab: 64, hidden: 32, layers: 2);
        _checkpoint = RandomCheckpoint.Create(config, TensorDType.BF16, seed: 3);
        _tensors = CheckpointLoader.Open(_checkpoint.Folder);
        _backend = new CpuBackend(new CpuBackendOptions { Threads = 2 });
        _model = new DiffusionTransformer(config, _tensors, _backend);
        _engine = new DiffusionEngine(_model, new EngineOptions { DefaultBlockLength = 8 }, new HashSet<int>(config.EosTokenIds), NullLogger<DiffusionEngine>.Instance);
    }

    [Fact]
    public async Task GenerateAsync_SameSeed_SameTokens()
    {
        var request = Request(seed: 42, temperature: 0.9f, prompt: [3, 4, 5, 6]);

        int[] first = await Collect(request);
        int[] second = await Collect(request);
        int[] otherSeed = await Collect(request with { Seed = 43 });

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public async Task GenerateAsync_AloneOrAmongSixteenMixedRequests_SameTokens()
    {
        var probe = Request(seed: 7, temperature: 0.7f, prompt: [10, 11, 12, 13, 14]);
        int[] alone = await Collect(probe);

        var random = new Random(5);
        var crowd = Enumerable.Range(0, 15).Select(i => Request(
            seed: (ulong)i,
            temperature: i % 3 == 0 ? 0f : 1f,
            prompt: Enumerable.Range(0, 1 + random.Next(20)).Select(_ => random.Next(60)).ToArray(),
            maxTokens: 8 + (8 * (i % 4)),
            remasking: i % 2 == 0 ? RemaskingStrategy.Random : RemaskingStrategy.LowConfidence)).ToList();
        crowd.Insert(8, probe);
        int[][] together = await Task.WhenAll(crowd.Select(Collect));

        Assert.Equal(alone, together[8]);
    }

    [Fact]
    public async Task GenerateAsync_TopKOneAtAnyTemperature_TheGreedyAnswer()
    {
        var greedy = Request(seed: 1, temperature: 0f, prompt: [3, 4, 5, 6]);

        int[] expected = await Collect(greedy);

        Assert.Equal(expected, await Collect(greedy with { Temperature = 1.5f, Seed = 2, TopK = 1 }));
        Assert.Equal(expected, await Collect(greedy with { Temperature = 1.5f, Seed = 3, TopP = 1e-9 }));
    }

    [Fact]
    public async Task GenerateAsync_AlgTemp_SeededAndDifferentFromTopKPositions()
    {
        // Sampled positions change what the greedy tokens condition on: over a few seeds some answer differs.
        var request = Request(seed: 4, temperature: 0f, prompt: [7, 8, 9], maxTokens: 16) with { AlgorithmTemperature = 0.05 };

        int[] first = await Collect(request);

        Assert.Equal(first, await Collect(request));
        int[] topK = await Collect(request with { AlgorithmTemperature = 0 });
        int[][] others = await Task.WhenAll(Enumerable.Range(5, 8).Select(s => Collect(request with { Seed = (ulong)s })));
        Assert.Contains(others.Append(first), answer => !answer.SequenceEqual(topK));
    }

    [Fact]
    public async Task GenerateAsync_Suffix_FillsTheMiddleAttendingToIt()
    {
        var request = Request(seed: 1, temperature: 0f, prompt: [3, 4, 5], maxTokens: 8) with { IgnoreEos = true };
        int[][] suffixes = [[20, 21, 22], [40, 41], [7]];

        int[] plain = await Collect(request);
        int[][] filled = await Task.WhenAll(suffixes.Select(suffix => Collect(request with { SuffixTokens = suffix })));

        Assert.All(filled, answer => Assert.Equal(8, answer.Length));
        Assert.Contains(filled, answer => !answer.SequenceEqual(plain));
        Assert.Equal(filled[0], await Collect(request with { SuffixTokens = suffixes[0] }));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1f)]
    public async Task GenerateAsync_TopLogprobs_EveryTokenListsItsAlternativesAndTheAnswerIsUnchanged(float temperature)
    {
        var request = Request(seed: 4, temperature, prompt: [3, 4, 5], maxTokens: 16) with { IgnoreEos = true };
        var updates = new List<GenerationUpdate>();
        await foreach (GenerationUpdate update in _engine.Generate(request with { TopLogprobs = 4 }, CancellationToken.None))
        {
            updates.Add(update);
        }

        int[] tokens = [.. updates.SelectMany(u => u.Tokens)];
        Assert.Equal(await Collect(request), tokens);
        Assert.Equal(16, tokens.Length);
        foreach (GenerationUpdate update in updates)
        {
            Assert.Equal(update.Tokens.Count, update.TopLogprobs.Count);
            for (int i = 0; i < update.Tokens.Count; i++)
            {
                IReadOnlyList<Quicksilver.Engine.Compute.TokenLogprob> listed = update.TopLogprobs[i];
                Assert.Equal(4, listed.Count);
                Assert.Equal(listed.OrderByDescending(a => a.LogProbability), listed);
                Assert.True(listed[0].LogProbability >= update.LogProbabilities[i]);
                Assert.All(listed.Where(a => a.Token == update.Tokens[i]), a => Assert.Equal(update.LogProbabilities[i], a.LogProbability));
                if (temperature == 0f)
                {
                    Assert.Equal(update.Tokens[i], listed[0].Token);
                }
            }
        }
    }

    [Fact]
    public async Task GenerateAsync_EmitsOneUpdatePerBlock_LastCarriesFinish()
    {
        var updates = new List<GenerationUpdate>();
        await foreach (GenerationUpdate update in _engine.Generate(Request(seed: 1, temperature: 0f, prompt: [1, 2], maxTokens: 24), CancellationToken.None))
        {
            updates.Add(update);
        }

        Assert.InRange(updates.Count, 1, 3);
        Assert.All(updates.SkipLast(1), u => Assert.Null(u.Finish));
        Assert.NotNull(updates[^1].Finish);
        if (updates[^1].Finish == FinishReason.Length)
        {
            Assert.Equal(3, updates.Count);
            Assert.Equal(24, updates.Sum(u => u.Tokens.Count));
        }
    }

    [Fact]
    public async Task GenerateAsync_PromptPlusMaxTokensOverContext_ThrowsNamingMaxTokens()
    {
        var ex = await Assert.ThrowsAsync<InvalidRequestException>(() => Collect(Request(seed: 1, temperature: 0f, prompt: [1, 2, 3], maxTokens: 510)));

        Assert.Equal("max_tokens", ex.Param);
    }

    [Fact]
    public async Task GenerateAsync_Cancelled_StopsAndEngineKeepsServing()
    {
        using var cancel = new CancellationTokenSource();
        var request = Request(seed: 1, temperature: 0f, prompt: [1, 2], maxTokens: 500) with { BlockLength = 500 };
        Task<int[]> running = Collect(request, cancel.Token);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        int[] next = await Collect(Request(seed: 2, temperature: 0f, prompt: [5], maxTokens: 8));
        Assert.NotNull(next);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _model.Dispose();
        _backend.Dispose();
        _tensors.Dispose();
        _checkpoint.Dispose();
    }

    private static GenerationRequest Request(ulong seed, float temperature, int[] prompt, int maxTokens = 16, RemaskingStrategy remasking = RemaskingStrategy.LowConfidence) => new()
    {
        PromptTokens = prompt,
        MaxTokens = maxTokens,
        Temperature = temperature,
        Seed = seed,
        Remasking = remasking,
    };

    private async Task<int[]> Collect(GenerationRequest request) => await Collect(request, CancellationToken.None);

    private async Task<int[]> Collect(GenerationRequest request, CancellationToken cancellationToken)
    {
        var tokens = new List<int>();
        await foreach (GenerationUpdate update in _engine.Generate(request, cancellationToken))
        {
            tokens.AddRange(update.Tokens);
        }

        return tokens.ToArray();
    }
}
