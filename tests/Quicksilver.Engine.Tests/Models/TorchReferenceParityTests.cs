using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Models;

/// <summary>
/// The engine's forward pass against PyTorch's own kernels, on the model the project ships: an independent check of
/// every op (embedding, RMSNorm, rotate-half RoPE, bidirectional attention, SwiGLU, final norm, head) written from
/// LLaDA's published architecture in <c>tools/reference/llada_reference.py</c>, sharing no code with the engine.
/// Tolerance: both compute in fp32 from the same BF16 weights and differ only in the order of accumulation, so the
/// relative L2 error of each row of logits must stay under 1e-5 and no logit may differ by more than 1e-4 of the
/// row's largest magnitude.
/// </summary>
public sealed class TorchReferenceParityTests
{
    private const double RelativeL2Tolerance = 1e-5;
    private const double MaxAbsoluteFraction = 1e-4;

    [TorchReferenceFact]
    public void ComputeLogits_EmbeddedModelMixedLengthBatch_MatchesPyTorch() => AssertMatchesPyTorch(RepositoryFolders.TinyModel);

    /// <summary>The engine's logits for a mixed-length batch on the model in <paramref name="folder"/> equal PyTorch's.</summary>
    public static void AssertMatchesPyTorch(string folder)
    {
        ModelConfig config = ModelConfigReader.Read(Path.Combine(folder, "config.json"));
        using ITensorSource tensors = CheckpointLoader.Open(folder);
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = 2 });
        using var model = new DiffusionTransformer(config, tensors, backend);

        // A prompt followed by a masked canvas, as a denoising step sees it; a one-token sequence; a long random one.
        int mask = config.MaskTokenId;
        int[][] sequences =
        [
            [.. DiffusionTransformerTests.RandomTokens(1, config, 12), .. Enumerable.Repeat(mask, 20)],
            [7],
            DiffusionTransformerTests.RandomTokens(2, config, 150),
        ];
        int[][] positions = [[.. Enumerable.Range(0, 32)], [0], [0, 1, 74, 148, 149]];

        float[] engine = model.ComputeLogits(DiffusionTransformerTests.Batch(sequences, positions));
        float[] torch = TorchReference.Logits(folder, sequences, positions);

        Assert.Equal(torch.Length, engine.Length);
        int vocab = config.VocabSize;
        for (int row = 0; row < engine.Length / vocab; row++)
        {
            double[] expected = [.. torch.AsSpan(row * vocab, vocab).ToArray().Select(v => (double)v)];
            LogitsAssert.Close(expected, engine.AsSpan(row * vocab, vocab), RelativeL2Tolerance, MaxAbsoluteFraction, $"row {row}");
        }
    }
}
