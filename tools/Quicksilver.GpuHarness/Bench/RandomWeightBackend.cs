using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cuda;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.GpuHarness.Bench;

/// <summary>
/// The CUDA backend, except that <see cref="LoadWeight"/> never reads the checkpoint: it creates a random bf16 weight
/// of the tensor's name and shape on the device (<see cref="CudaBackend.CreateRandomWeight(string, int, int, ulong, float, float)"/>),
/// so the engine's own <c>DiffusionTransformer</c> runs an 8B-parameter shape from a checkpoint whose data region is
/// a hole (<see cref="SafetensorsWriter.WriteUnfilled"/>). Scales as a trained model's: matrices 1/√(input width),
/// the embedding 1, norm scales near 1, biases small. Everything else is the CUDA backend's; it stays the caller's
/// to dispose.
/// </summary>
internal sealed class RandomWeightBackend(CudaBackend cuda, ulong seed) : IComputeBackend
{
    private ulong _next = seed;

    public string Name => cuda.Name;

    public string Description => $"{cuda.Description}, random weights";

    public int MaxSelectionRows => cuda.MaxSelectionRows;

    public IWeight LoadWeight(CheckpointTensor tensor)
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

    public IDeviceBuffer Allocate(int capacity, int columns, BufferKind kind = BufferKind.Activation) => cuda.Allocate(capacity, columns, kind);

    public void Upload(ReadOnlySpan<float> source, IDeviceBuffer destination) => cuda.Upload(source, destination);

    public void Download(IDeviceBuffer source, Span<float> destination) => cuda.Download(source, destination);

    public void Embed(IWeight table, ReadOnlySpan<int> tokens, IDeviceBuffer output) => cuda.Embed(table, tokens, output);

    public void RmsNorm(IDeviceBuffer input, IWeight weight, float epsilon, IDeviceBuffer output) => cuda.RmsNorm(input, weight, epsilon, output);

    public void HeadRmsNorm(IDeviceBuffer queriesOrKeys, IWeight weight, int headCount, float epsilon) => cuda.HeadRmsNorm(queriesOrKeys, weight, headCount, epsilon);

    public void MatMul(IDeviceBuffer input, IWeight weight, IWeight? bias, IDeviceBuffer output) => cuda.MatMul(input, weight, bias, output);

    public void ApplyRope(IDeviceBuffer queriesOrKeys, int headCount, int headDim, ReadOnlySpan<int> positions, double theta) =>
        cuda.ApplyRope(queriesOrKeys, headCount, headDim, positions, theta);

    public long KvCacheBytes(int layers, int positions, int keyValueWidth) => cuda.KvCacheBytes(layers, positions, keyValueWidth);

    public IKvCache AllocateKvCache(int layers, int positions, int keyValueWidth) => cuda.AllocateKvCache(layers, positions, keyValueWidth);

    public void WriteKvCache(IDeviceBuffer keys, IDeviceBuffer values, int layer, ReadOnlySpan<KvCacheWrite> writes) => cuda.WriteKvCache(keys, values, layer, writes);

    public void Attention(IDeviceBuffer queries, IDeviceBuffer keys, IDeviceBuffer values, AttentionLayout layout, int headCount, int kvHeadCount, int headDim, IDeviceBuffer output) =>
        cuda.Attention(queries, keys, values, layout, headCount, kvHeadCount, headDim, output);

    public void SwiGlu(IDeviceBuffer gate, IDeviceBuffer up, IDeviceBuffer output) => cuda.SwiGlu(gate, up, output);

    public void Add(IDeviceBuffer accumulator, IDeviceBuffer addend) => cuda.Add(accumulator, addend);

    public void GatherRows(IDeviceBuffer input, ReadOnlySpan<int> rows, IDeviceBuffer output) => cuda.GatherRows(input, rows, output);

    public void ScoreLogits(IDeviceBuffer logits, ReadOnlySpan<RowSampling> sampling, int suppressedToken, Span<TokenScore> results) =>
        cuda.ScoreLogits(logits, sampling, suppressedToken, results);

    public void AddLogitBias(IDeviceBuffer logits, ReadOnlySpan<LogitBiasRows> spans, ReadOnlySpan<TokenBias> biases) => cuda.AddLogitBias(logits, spans, biases);

    public void TopLogprobs(IDeviceBuffer logits, ReadOnlySpan<TopLogprobsRow> rows, int count, int suppressedToken, Span<TokenLogprob> results) =>
        cuda.TopLogprobs(logits, rows, count, suppressedToken, results);

    public bool CanSelect(CommitPolicy policy) => cuda.CanSelect(policy);

    public void ScoreAndSelect(
        IDeviceBuffer logits,
        ReadOnlySpan<RowSampling> sampling,
        int suppressedToken,
        ReadOnlySpan<int> positions,
        ReadOnlySpan<int> rowOffsets,
        ReadOnlySpan<CommitPolicy> policies,
        Span<CommittedToken> committed,
        Span<int> counts) =>
        cuda.ScoreAndSelect(logits, sampling, suppressedToken, positions, rowOffsets, policies, committed, counts);

    /// <summary>Nothing: the CUDA backend is the caller's.</summary>
    public void Dispose()
    {
    }
}
