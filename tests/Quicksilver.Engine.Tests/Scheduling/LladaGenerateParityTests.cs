using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.Models;
using Quicksilver.Engine.Tests.TestModels;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>
/// The whole decoding loop against LLaDA's greedy <c>generate()</c> written independently in PyTorch
/// (<c>tools/reference/llada_reference.py generate</c>: blocks left to right, the even split of each block's steps,
/// low_confidence by <c>p</c> of the arg-max in float64, top-k of the block's masked positions), on the shipped
/// trained model with a text prompt: the same answer, token for token, at one, two and four tokens per step and at an uneven split (16 masks in 3 steps). Exact:
/// a confidence tie or a near-tie the two fp32 forward passes order differently would fail it, and with a trained
/// model's confidences none lies that close.
/// </summary>
public sealed class LladaGenerateParityTests
{
    [TorchReferenceFact]
    public async Task GenerateAsync_Greedy_SameAnswerAsLLaDAsGenerate()
    {
        string folder = RepositoryFolders.TinyModel;
        ModelConfig config = ModelConfigReader.Read(Path.Combine(folder, "config.json"));
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.Load(Path.Combine(folder, "tokenizer.json"));
        using ITensorSource tensors = CheckpointLoader.Open(folder);
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = 2 });
        using var model = new DiffusionTransformer(config, tensors, backend);
        using var engine = new DiffusionEngine(model, new EngineOptions(), new HashSet<int>(config.EosTokenIds), NullLogger<DiffusionEngine>.Instance);
        int[] prompt = [.. tokenizer.Encode("And God said unto Moses,")];

        foreach ((int length, int block, int steps) in new[] { (32, 8, 32), (32, 16, 16), (48, 16, 12), (32, 16, 6) })
        {
            int[] expected = TorchReference.GreedyAnswer(folder, prompt, length, block, steps, config.MaskTokenId);
            var request = new GenerationRequest { PromptTokens = prompt, MaxTokens = length, BlockLength = block, Steps = steps, IgnoreEos = true };

            int[] answer = await Collect(engine, request);

            Assert.True(expected.SequenceEqual(answer), $"{length} tokens, blocks of {block}, {steps} steps:\n  LLaDA  {string.Join(' ', expected)}\n  engine {string.Join(' ', answer)}");
        }
    }

    private static async Task<int[]> Collect(DiffusionEngine engine, GenerationRequest request)
    {
        var tokens = new List<int>();
        await foreach (GenerationUpdate update in engine.Generate(request, CancellationToken.None))
        {
            tokens.AddRange(update.Tokens);
        }

        return [.. tokens];
    }
}
