using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cuda;

namespace Quicksilver.GpuHarness.Bench;

/// <summary>
/// The CUDA backend, except that <see cref="LoadWeight"/> never reads the checkpoint: it creates a random bf16 weight
/// of the tensor's name and shape on the device (<see cref="CudaBackend.CreateRandomWeight(string, int, int, ulong, float, float)"/>),
/// so the engine's own <c>DiffusionTransformer</c> runs an 8B-parameter shape from a checkpoint whose data region is
/// a hole (<see cref="SafetensorsWriter.WriteUnfilled"/>). Scales as a trained model's: matrices 1/√(input width),
/// the embedding 1, norm scales near 1, biases small. Everything else is the CUDA backend's; it stays the caller's
/// to dispose.
/// </summary>
internal sealed class RandomWeightBackend(CudaBackend cuda, ulong seed) : ForwardingBackend(cuda, ownsInner: false)
{
    private ulong _next = seed;

    public override string Description => $"{cuda.Description}, random weights";

    public override IWeight LoadWeight(CheckpointTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ulong weightSeed = _next++;
        if (tensor.Shape.Count == 1)
        {
            int width = checked((int)tensor.Shape[0]);
            return tensor.Name.EndsWith(".bias", StringComparison.Ordinal)
                ? cuda.CreateRandomWeight(tensor.Name, 1, width, weightSeed, 0.1f)
                : cuda.CreateRandomWeight(tensor.Name, 1, width, weightSeed, 0.1f, 1f);
        }

        if (tensor.Shape.Count != 2)
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' has rank {tensor.Shape.Count}; random weights are 1-D or 2-D.", nameof(tensor));
        }

        int rows = checked((int)tensor.Shape[0]), columns = checked((int)tensor.Shape[1]);
        bool embedding = tensor.Name.Contains("wte", StringComparison.Ordinal) || tensor.Name.Contains("embed_tokens", StringComparison.Ordinal);
        return cuda.CreateRandomWeight(tensor.Name, rows, columns, weightSeed, embedding ? 1f : 1f / MathF.Sqrt(columns));
    }
}
