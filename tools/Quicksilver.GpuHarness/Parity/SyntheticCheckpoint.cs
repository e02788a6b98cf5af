using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Models;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>
/// A small LLaDA-, Dream- or SDAR-shaped model with random BF16 weights, written as a real checkpoint folder, so the
/// whole-model parity check does not depend on a model being present on the device machine.
/// </summary>
internal static class SyntheticCheckpoint
{
    public static ModelConfig LLaDA() => new()
    {
        Architecture = ModelArchitecture.LLaDA,
        HiddenSize = 256,
        LayerCount = 2,
        HeadCount = 2,
        KeyValueHeadCount = 2,
        IntermediateSize = 512,
        VocabSize = 1024,
        RopeTheta = 500000.0,
        RmsNormEps = 1e-5,
        MaxSequenceLength = 1024,
        MaskTokenId = 1023,
        EosTokenIds = [1022],
    };

    public static ModelConfig Dream() => new()
    {
        Architecture = ModelArchitecture.Dream,
        HiddenSize = 256,
        LayerCount = 2,
        HeadCount = 4,
        KeyValueHeadCount = 2,
        IntermediateSize = 512,
        VocabSize = 1024,
        RopeTheta = 1000000.0,
        RmsNormEps = 1e-6,
        MaxSequenceLength = 1024,
        QkvBias = true,
        ShiftLogits = true,
        MaskTokenId = 1023,
        EosTokenIds = [1022],
    };

    /// <summary>
    /// SDAR's switches on the Dream shape: per-head q/k norms, a tied head, no bias, unshifted logits, block-causal
    /// attention over blocks of 4, and heads of 128 on a residual of 256 (queries wider than the residual, as SDAR-4B's).
    /// </summary>
    public static ModelConfig Sdar() => Dream() with
    {
        Architecture = ModelArchitecture.Sdar,
        HeadDim = 128,
        QkvBias = false,
        QueryKeyNorm = true,
        TieWordEmbeddings = true,
        ShiftLogits = false,
        AttentionBlockLength = 4,
    };

    /// <summary>Writes <c>model.safetensors</c> for <paramref name="config"/> into <paramref name="folder"/>.</summary>
    public static void Write(string folder, ModelConfig config, RandomData data)
    {
        Directory.CreateDirectory(folder);
        var entries = new List<SafetensorsWriter.Entry>();
        foreach ((string name, long[] shape) in WeightSpec.Required(config))
        {
            int count = (int)shape.Aggregate(1L, (a, b) => a * b);
            bool vector = shape.Length == 1;
            bool bias = name.EndsWith(".bias", StringComparison.Ordinal);
            float[] values = vector
                ? (bias ? data.Uniform(count, 0.1f) : data.Uniform(count, 0.2f, 1f))
                : data.Uniform(count, IsEmbedding(name) && !config.TieWordEmbeddings ? 1f : 1.5f / MathF.Sqrt(shape[1]));
            byte[] bytes = MemoryMarshal.AsBytes(values.Select(BFloat16.FromSingle).ToArray().AsSpan()).ToArray();
            entries.Add(new SafetensorsWriter.Entry(name, TensorDType.BF16, shape, bytes));
        }

        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), entries);
    }

    // A tied embedding is also the output head, so it is drawn at the head's scale (a unit-scale head makes logits of ~100).
    private static bool IsEmbedding(string name) => name.Contains("embed", StringComparison.Ordinal) || name.Contains("wte", StringComparison.Ordinal);
}
