using System.Buffers.Binary;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Models;

namespace Quicksilver.ModelBuilder;

/// <summary>
/// Randomly initialised weights in BF16 for every tensor the engine requires of the configuration
/// (<see cref="WeightSpec.Required"/>, under the family's tensor names). Matrices are drawn from N(0, 0.02²); the
/// residual output projections (attention output, MLP down) are scaled by 1/√(2·n_layers), as GPT-2 does; RMSNorm
/// weights are 1 and biases (Dream's q/k/v) 0. Each tensor has its own stream of the seed.
/// </summary>
internal static class RandomWeights
{
    private const double InitStd = 0.02;

    public static IReadOnlyList<SafetensorsWriter.Entry> Create(ModelConfig config, ulong seed)
    {
        TensorNaming names = TensorNaming.For(config.Architecture);
        var outputProjections = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < config.LayerCount; i++)
        {
            outputProjections.Add(names.Layer(i, LayerTensor.AttentionOutput));
            outputProjections.Add(names.Layer(i, LayerTensor.Down));
        }

        double outputStd = InitStd / Math.Sqrt(2.0 * config.LayerCount);
        return [.. WeightSpec.Required(config).Select(tensor => tensor.Shape.Length switch
        {
            1 when tensor.Name.EndsWith(".bias", StringComparison.Ordinal) => Filled(tensor.Name, tensor.Shape[0], 0f),
            1 => Filled(tensor.Name, tensor.Shape[0], 1f),
            _ => Normal(seed, tensor.Name, tensor.Shape, outputProjections.Contains(tensor.Name) ? outputStd : InitStd),
        })];
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

    private static SafetensorsWriter.Entry Filled(string name, long length, float value)
    {
        var data = new byte[length * 2];
        ushort bits = BFloat16.FromSingle(value);
        for (int i = 0; i < length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(i * 2), bits);
        }

        return new SafetensorsWriter.Entry(name, TensorDType.BF16, [length], data);
    }
}
