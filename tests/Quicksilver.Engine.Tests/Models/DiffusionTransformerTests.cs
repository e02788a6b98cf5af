using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Models;

/// <summary>
/// The forward pass against <see cref="ScalarReferenceTransformer"/>. Tolerance: the engine computes in fp32 and the
/// reference in double on the same (bf16-representable) weights, so the relative L2 error of the logits must stay
/// under 1e-4 and no logit may differ by more than 1e-3 of the largest logit magnitude.
/// </summary>
public sealed class DiffusionTransformerTests
{
    private const double RelativeL2Tolerance = 1e-4;
    private const double MaxAbsoluteFraction = 1e-3;

    public static TheoryData<string, TensorDType> Families => new()
    {
        { "llada-mha", TensorDType.BF16 },
        { "llada-mha", TensorDType.F32 },
        { "llada-mha", TensorDType.F16 },
        { "dream-gqa", TensorDType.BF16 },
        { "llada-block-causal-8", TensorDType.BF16 },
        { "dream-block-causal-8", TensorDType.BF16 },
        { "sdar-block-causal-4", TensorDType.BF16 },
        { "sdar-block-causal-4", TensorDType.F32 },
        { "sdar-wide-heads-block-causal-4", TensorDType.BF16 },
        { "fast-dllm-v2-block-causal-8", TensorDType.BF16 },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void ComputeLogits_MixedLengthBatch_MatchesScalarReference(string family, TensorDType dtype)
    {
        // The block-causal families attend over blocks of 8 (SDAR: 4) positions: the reference masks pair by pair.
        // SDAR also normalises each q/k head and reads logits from its embedding (tied), which the reference does apart;
        // its wide-heads variant has 4 heads of 16 on a residual of 32, as SDAR-4B has 32 of 128 on 2560.
        ModelConfig config = family.Split('-')[0] switch
        {
            "sdar" when family.Contains("wide-heads", StringComparison.Ordinal) => RandomCheckpoint.SdarConfig(blockLength: 4) with { HeadDim = 16 },
            "sdar" => RandomCheckpoint.SdarConfig(blockLength: 4),
            "fast" => RandomCheckpoint.FastDllmV2Config(blockLength: 8),
            "dream" => RandomCheckpoint.DreamConfig() with { AttentionBlockLength = family.EndsWith("block-causal-8", StringComparison.Ordinal) ? 8 : 0 },
            _ => RandomCheckpoint.LLaDAConfig() with { AttentionBlockLength = family.EndsWith("block-causal-8", StringComparison.Ordinal) ? 8 : 0 },
        };
        using var checkpoint = RandomCheckpoint.Create(config, dtype, seed: 7);
        using ITensorSource tensors = CheckpointLoader.Open(checkpoint.Folder);
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = 2 });
        using var model = new DiffusionTransformer(config, tensors, backend);
        var reference = new ScalarReferenceTransformer(config, checkpoint.Values);

        int[][] sequences = [RandomTokens(1, config, 1), RandomTokens(2, config, 23), RandomTokens(3, config, 9)];
        int[][] positions = [[0], [0, 5, 22, 11], [8, 1]];
        float[] logits = model.ComputeLogits(Batch(sequences, positions));

        int row = 0;
        for (int s = 0; s < sequences.Length; s++)
        {
            double[][] expected = reference.Logits(sequences[s], positions[s]);
            foreach (double[] expectedRow in expected)
            {
                LogitsAssert.Close(expectedRow, logits.AsSpan(row * config.VocabSize, config.VocabSize), RelativeL2Tolerance, MaxAbsoluteFraction, $"{family}/{dtype} sequence {s} row {row}");
                row++;
            }
        }
    }

    [Theory]
    [InlineData("llada-mha")]
    [InlineData("dream-gqa")]
    public void ComputeLogits_SequenceInBatch_BitIdenticalToSequenceAlone(string family)
    {
        ModelConfig config = family == "dream-gqa" ? RandomCheckpoint.DreamConfig() : RandomCheckpoint.LLaDAConfig();
        using var checkpoint = RandomCheckpoint.Create(config, TensorDType.BF16, seed: 11);
        using ITensorSource tensors = CheckpointLoader.Open(checkpoint.Folder);
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = 2 });
        using var model = new DiffusionTransformer(config, tensors, backend);

        int[] probe = RandomTokens(5, config, 17);
        int[] probePositions = [0, 3, 16];
        float[] alone = model.ComputeLogits(Batch([probe], [probePositions]));

        int[][] others = [RandomTokens(6, config, 40), RandomTokens(7, config, 3), RandomTokens(8, config, 29)];
        float[] batched = model.ComputeLogits(Batch([others[0], probe, others[1], others[2]], [[1], probePositions, [0, 2], [28]]));

        int start = 1 * config.VocabSize;
        Assert.Equal(alone, batched.AsSpan(start, alone.Length).ToArray());
    }

    [Fact]
    public void Constructor_TensorShapeDisagreesWithConfig_NamesTensorAndFile()
    {
        ModelConfig written = RandomCheckpoint.LLaDAConfig(ff: 48);
        using var checkpoint = RandomCheckpoint.Create(written, TensorDType.BF16, seed: 1);
        using ITensorSource tensors = CheckpointLoader.Open(checkpoint.Folder);
        using var backend = new CpuBackend();

        var ex = Assert.Throws<CheckpointException>(() => new DiffusionTransformer(written with { IntermediateSize = 64 }, tensors, backend));

        Assert.Equal("model.transformer.blocks.0.ff_proj.weight", ex.Subject);
        Assert.Contains("model.safetensors", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[48, 32]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[64, 32]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MissingTensor_NamesIt()
    {
        ModelConfig written = RandomCheckpoint.LLaDAConfig(layers: 2);
        using var checkpoint = RandomCheckpoint.Create(written, TensorDType.BF16, seed: 1);
        using ITensorSource tensors = CheckpointLoader.Open(checkpoint.Folder);
        using var backend = new CpuBackend();

        var ex = Assert.Throws<CheckpointException>(() => new DiffusionTransformer(written with { LayerCount = 3 }, tensors, backend));

        Assert.Equal("model.transformer.blocks.2.attn_norm.weight", ex.Subject);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    internal static int[] RandomTokens(int seed, ModelConfig config, int length)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => random.Next(config.VocabSize)).ToArray();
    }

    internal static ForwardSequence[] Batch(int[][] sequences, int[][] positions) =>
        sequences.Select((tokens, s) => new ForwardSequence(tokens, positions[s], positions[s].Select(_ => new RowSampling(0f, 0, 0)).ToArray())).ToArray();

}
