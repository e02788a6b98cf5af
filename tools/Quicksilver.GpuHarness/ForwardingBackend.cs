using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.GpuHarness;

/// <summary>
/// A backend that hands every call to <see cref="Inner"/>; the harness's decorators override only the calls they
/// change. Dispose disposes the inner backend when the decorator owns it (<paramref name="ownsInner"/>).
/// </summary>
internal abstract class ForwardingBackend(IComputeBackend inner, bool ownsInner) : IComputeBackend
{
    protected IComputeBackend Inner { get; } = inner;

    public virtual string Name => Inner.Name;

    public virtual string Description => Inner.Description;

    public virtual int MaxSelectionRows => Inner.MaxSelectionRows;

    public virtual IWeight LoadWeight(CheckpointTensor tensor) => Inner.LoadWeight(tensor);

    public virtual IDeviceBuffer Allocate(int capacity, int columns, BufferKind kind = BufferKind.Activation) => Inner.Allocate(capacity, columns, kind);

    public virtual void Upload(ReadOnlySpan<float> source, IDeviceBuffer destination) => Inner.Upload(source, destination);

    public virtual void Download(IDeviceBuffer source, Span<float> destination) => Inner.Download(source, destination);

    public virtual void Embed(IWeight table, ReadOnlySpan<int> tokens, IDeviceBuffer output) => Inner.Embed(table, tokens, output);

    public virtual void RmsNorm(IDeviceBuffer input, IWeight weight, float epsilon, IDeviceBuffer output) => Inner.RmsNorm(input, weight, epsilon, output);

    public virtual void HeadRmsNorm(IDeviceBuffer queriesOrKeys, IWeight weight, int headCount, float epsilon) => Inner.HeadRmsNorm(queriesOrKeys, weight, headCount, epsilon);

    public virtual void MatMul(IDeviceBuffer input, IWeight weight, IWeight? bias, IDeviceBuffer output) => Inner.MatMul(input, weight, bias, output);

    public virtual void MatMulShared(IDeviceBuffer input, ReadOnlySpan<IWeight> weights, ReadOnlySpan<IWeight?> biases, ReadOnlySpan<IDeviceBuffer> outputs) =>
        Inner.MatMulShared(input, weights, biases, outputs);

    public virtual void ApplyRope(IDeviceBuffer queries, int queryHeadCount, IDeviceBuffer keys, int keyHeadCount, int headDim, ReadOnlySpan<int> positions, double theta) =>
        Inner.ApplyRope(queries, queryHeadCount, keys, keyHeadCount, headDim, positions, theta);

    public virtual long KvCacheBytes(int layers, int positions, int keyValueWidth) => Inner.KvCacheBytes(layers, positions, keyValueWidth);

    public virtual IKvCache AllocateKvCache(int layers, int positions, int keyValueWidth) => Inner.AllocateKvCache(layers, positions, keyValueWidth);

    public virtual void WriteKvCache(IDeviceBuffer keys, IDeviceBuffer values, int layer, ReadOnlySpan<KvCacheWrite> writes) => Inner.WriteKvCache(keys, values, layer, writes);

    public virtual void Attention(IDeviceBuffer queries, IDeviceBuffer keys, IDeviceBuffer values, AttentionLayout layout, int headCount, int kvHeadCount, int headDim, IDeviceBuffer output) =>
        Inner.Attention(queries, keys, values, layout, headCount, kvHeadCount, headDim, output);

    public virtual void SwiGlu(IDeviceBuffer gate, IDeviceBuffer up, IDeviceBuffer output) => Inner.SwiGlu(gate, up, output);

    public virtual void Add(IDeviceBuffer accumulator, IDeviceBuffer addend) => Inner.Add(accumulator, addend);

    public virtual void AddRmsNorm(IDeviceBuffer accumulator, IDeviceBuffer addend, IWeight weight, float epsilon, IDeviceBuffer output) =>
        Inner.AddRmsNorm(accumulator, addend, weight, epsilon, output);

    public virtual void GatherRows(IDeviceBuffer input, ReadOnlySpan<int> rows, IDeviceBuffer output) => Inner.GatherRows(input, rows, output);

    public virtual void ScoreLogits(IDeviceBuffer logits, ReadOnlySpan<RowSampling> sampling, int suppressedToken, Span<TokenScore> results) =>
        Inner.ScoreLogits(logits, sampling, suppressedToken, results);

    public virtual void AddLogitBias(IDeviceBuffer logits, ReadOnlySpan<LogitBiasRows> spans, ReadOnlySpan<TokenBias> biases) => Inner.AddLogitBias(logits, spans, biases);

    public virtual void TopLogprobs(IDeviceBuffer logits, ReadOnlySpan<TopLogprobsRow> rows, int count, int suppressedToken, Span<TokenLogprob> results) =>
        Inner.TopLogprobs(logits, rows, count, suppressedToken, results);

    public virtual bool CanSelect(CommitPolicy policy) => Inner.CanSelect(policy);

    public virtual void ScoreAndSelect(
        IDeviceBuffer logits,
        ReadOnlySpan<RowSampling> sampling,
        int suppressedToken,
        ReadOnlySpan<int> positions,
        ReadOnlySpan<int> rowOffsets,
        ReadOnlySpan<CommitPolicy> policies,
        Span<CommittedToken> committed,
        Span<int> counts) =>
        Inner.ScoreAndSelect(logits, sampling, suppressedToken, positions, rowOffsets, policies, committed, counts);

    public void Dispose()
    {
        if (ownsInner)
        {
            Inner.Dispose();
        }
    }
}
