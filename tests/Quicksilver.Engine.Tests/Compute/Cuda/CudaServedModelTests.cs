using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

/// <summary>
/// The whole serving path on the CUDA backend: <see cref="ServedModelLoader"/> with <c>Backend = cuda</c>, and the step
/// loop batching five greedy requests on the trained tiny model, one per K/V cache mode and two with a later refresh
/// (<see cref="KvCacheRefresh"/>), so that CUDA caches are allocated, refreshed, windowed and freed inside one batch. Token-level agreement with the CPU is not asserted here:
/// this model's choices are often near-ties (top-1 near p = 0.08, margins down to 1e-4, which bf16 activations flip),
/// so the harness's teacher-forced checks, which excuse near-ties, cover it.
/// </summary>
public sealed class CudaServedModelTests
{
    [CudaFact]
    public async Task EveryCacheConfigurationInOneBatch_FinishCompleteAndFreeTheirCaches()
    {
        using ServedModel model = ServedModelLoader.Load(RepositoryFolders.TinyModel, new EngineOptions { Backend = "cuda", WarmUpSteps = 0 }, NullLoggerFactory.Instance);
        string[] prompts = ["In the beginning God created", "And the LORD said unto Moses", "Blessed are the", "Then the king", "Hear now"];
        (KvCacheMode Mode, KvCacheRefresh Refresh)[] caches =
        [
            (KvCacheMode.None, KvCacheRefresh.Canvas),
            (KvCacheMode.Prefix, KvCacheRefresh.Canvas),
            (KvCacheMode.Dual, KvCacheRefresh.Canvas),
            (KvCacheMode.Dual, KvCacheRefresh.Answer),
            (KvCacheMode.Prefix, KvCacheRefresh.Frontier),
        ];
        var requests = prompts.Select((prompt, i) => new GenerationRequest
        {
            PromptTokens = model.Tokenizer.Encode(prompt),
            MaxTokens = 32,
            BlockLength = 16,
            Steps = 16,
            Temperature = 0f,
            KvCache = caches[i].Mode,
            KvCacheRefresh = caches[i].Refresh,
            IgnoreEos = true,
        });

        List<int>[] answers = await Task.WhenAll(requests.Select(r => model.Engine.CollectAsync(r)));

        Assert.Equal("cuda", model.BackendName);
        Assert.All(answers, answer =>
        {
            Assert.Equal(32, answer.Count);
            Assert.All(answer, token => Assert.InRange(token, 0, model.Config.VocabSize - 1));
            Assert.DoesNotContain(model.Config.MaskTokenId, answer);
        });
        await Eventually.True(() => ((DiffusionEngine)model.Engine).KvCacheBytesInUse == 0);
    }
}
