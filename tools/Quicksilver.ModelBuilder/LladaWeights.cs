using System.Buffers.Binary;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;

namespace Quicksilver.ModelBuilder;

/// <summary>
/// Randomly initialised LLaDA weights in BF16 with the checkpoint's tensor names. Matrices are drawn from
/// N(0, 0.02²); the residual output projections (<c>attn_out</c>, block <c>ff_out</c>) are scaled by
/// 1/√(2·n_layers), as GPT-2 does; RMSNorm weights are 1. Each tensor has its own stream of the seed.
/// </summary>
internal static class LladaWeights
{
    private const double InitStd = 0.02;
    private const string Prefix = "model.transformer.";

    public static IReadOnlyList<SafetensorsWriter.Entry> Create(BuilderOptions options)
    {
        int d = options.DModel;
        int vocab = options.VocabSize;
        int kv = options.KvHeads * options.HeadDim;
        int mlp = options.MlpHidden;
        double outputStd = InitStd / Math.Sqrt(2.0 * options.Layers);
        ulong seed = options.Seed;

        var tensors = new List<SafetensorsWriter.Entry> { Normal(seed, Prefix + "wte.weight", [vocab, d], InitStd) };
        for (int i = 0; i < options.Layers; i++)
        {
            string block = $"{Prefix}blocks.{i}.";
            tensors.Add(Ones(block + "attn_norm.weight", d));
            tensors.Add(Ones(block + "ff_norm.weight", d));
            tensors.Add(Normal(seed, block + "q_proj.weight", [d, d], InitStd));
            tensors.Add(Normal(seed, block + "k_proj.weight", [kv, d], InitStd));
            tensors.Add(Normal(seed, block + "v_proj.weight", [kv, d], InitStd));
            tensors.Add(Normal(seed, block + "attn_out.weight", [d, d], outputStd));
            tensors.Add(Normal(seed, block + "ff_proj.weight", [mlp, d], InitStd));
            tensors.Add(Normal(seed, block + "up_proj.weight", [mlp, d], InitStd));
            tensors.Add(Normal(seed, block + "ff_out.weight", [d, mlp], outputStd));
        }

        tensors.Add(Ones(Prefix + "ln_f.weight", d));
        tensors.Add(Normal(seed, Prefix + "ff_out.weight", [vocab, d], InitStd));
        return tensors;
    }

    private static SafetensorsWriter.Entry Normal(ulong seed, string name, long[] shape, double std)
    {
        SplitMix64 random = SplitMix64.ForStream(seed, name);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var data = new byte[count * 2];
        for (long i = 0; i < count; i++)
        {
            float value = (float)(random.NextStandardNormal() * std);
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan((int)(i * 2)), BFloat16.FromSingle(value));
        }

        return new SafetensorsWriter.Entry(name, TensorDType.BF16, shape, data);
    }

    private static SafetensorsWriter.Entry Ones(string name, int length)
    {
        var data = new byte[length * 2];
        ushort one = BFloat16.FromSingle(1.0f);
        for (int i = 0; i < length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(i * 2), one);
        }

        return new SafetensorsWriter.Entry(name, TensorDType.BF16, [length], data);
    }
}
