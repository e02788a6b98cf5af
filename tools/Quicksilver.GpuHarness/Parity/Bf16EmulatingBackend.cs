using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>
/// The CPU backend with every activation output rounded to bf16, as the CUDA backend stores them — a stand-in for
/// CUDA in <c>parity --dry-run bf16</c>, to see on a machine without a GPU how far bf16 activations move the results
/// and so whether the tolerances leave room (logits buffers stay fp32, as on CUDA).
/// </summary>
internal sealed class Bf16EmulatingBackend : IComputeBackend
{
    private readonly CpuBackend inner = new(new CpuBackendOptions { Threads = Environment.ProcessorCount });
    private readonly HashSet<IDeviceBuffer> logits = [];

    public string Name => "cpu-bf16";

    public string Description => "CPU backend rounding activations to bf16 (dry run)";

    public IWeight LoadWeight(CheckpointTensor tensor) => inner.LoadWeight(tensor);

    public IDeviceBuffer Allocate(int capacity, int columns, BufferKind kind = BufferKind.Activation)
    {
        IDeviceBuffer buffer = inner.Allocate(capacity, columns, kind);
        if (kind == BufferKind.Logits)
        {
            logits.Add(buffer);
        }

        return buffer;
    }

    public void Upload(ReadOnlySpan<float> source, IDeviceBuffer destination)
    {
        inner.Upload(source, destination);
        Round(destination);
    }

    public void Download(IDeviceBuffer source, Span<float> destination) => inner.Download(source, destination);

    public void Embed(IWeight table, ReadOnlySpan<int> tokens, IDeviceBuffer output)
    {
        int[] t = tokens.ToArray();
        Then(output, () => inner.Embed(table, t, output));
    }

    public void RmsNorm(IDeviceBuffer input, IWeight weight, float epsilon, IDeviceBuffer output) => Then(output, () => inner.RmsNorm(input, weight, epsilon, output));

    public void HeadRmsNorm(IDeviceBuffer queriesOrKeys, IWeight weight, int headCount, float epsilon) =>
        Then(queriesOrKeys, () => inner.HeadRmsNorm(queriesOrKeys, weight, headCount, epsilon));

    public void MatMul(IDeviceBuffer input, IWeight weight, IWeight? bias, IDeviceBuffer output) => Then(output, () => inner.MatMul(input, weight, bias, output));

    public void ApplyRope(IDeviceBuffer queriesOrKeys, int headCount, int headDim, ReadOnlySpan<int> positions, double theta)
    {
        int[] p = positions.ToArray();
        Then(queriesOrKeys, () => inner.ApplyRope(queriesOrKeys, headCount, headDim, p, theta));
    }

    public long KvCacheBytes(int layers, int positions, int keyValueWidth) => inner.KvCacheBytes(layers, positions, keyValueWidth);

    public IKvCache AllocateKvCache(int layers, int positions, int keyValueWidth) => inner.AllocateKvCache(layers, positions, keyValueWidth);

    // Keys and values arrive already rounded (every activation output is), so the cache holds bf16 values as on CUDA.
    public void WriteKvCache(IDeviceBuffer keys, IDeviceBuffer values, int layer, ReadOnlySpan<KvCacheWrite> writes) => inner.WriteKvCache(keys, values, layer, writes);

    public void Attention(IDeviceBuffer queries, IDeviceBuffer keys, IDeviceBuffer values, AttentionLayout layout, int headCount, int kvHeadCount, int headDim, IDeviceBuffer output) =>
        Then(output, () => inner.Attention(queries, keys, values, layout, headCount, kvHeadCount, headDim, output));

    public void SwiGlu(IDeviceBuffer gate, IDeviceBuffer up, IDeviceBuffer output) => Then(output, () => inner.SwiGlu(gate, up, output));

    public void Add(IDeviceBuffer accumulator, IDeviceBuffer addend) => Then(accumulator, () => inner.Add(accumulator, addend));

    public void GatherRows(IDeviceBuffer input, ReadOnlySpan<int> rows, IDeviceBuffer output)
    {
        int[] r = rows.ToArray();
        Then(output, () => inner.GatherRows(input, r, output));
    }

    public void ScoreLogits(IDeviceBuffer logits, ReadOnlySpan<RowSampling> sampling, int suppressedToken, Span<TokenScore> results) =>
        inner.ScoreLogits(logits, sampling, suppressedToken, results);

    public void AddLogitBias(IDeviceBuffer logits, ReadOnlySpan<LogitBiasRows> spans, ReadOnlySpan<TokenBias> biases)
    {
        LogitBiasRows[] s = spans.ToArray();
        TokenBias[] b = biases.ToArray();
        Then(logits, () => inner.AddLogitBias(logits, s, b));
    }

    public void TopLogprobs(IDeviceBuffer logits, ReadOnlySpan<TopLogprobsRow> rows, int count, int suppressedToken, Span<TokenLogprob> results) =>
        inner.TopLogprobs(logits, rows, count, suppressedToken, results);

    public int MaxSelectionRows => inner.MaxSelectionRows;

    public bool CanSelect(CommitPolicy policy) => inner.CanSelect(policy);

    public void ScoreAndSelect(
        IDeviceBuffer logits,
        ReadOnlySpan<RowSampling> sampling,
        int suppressedToken,
        ReadOnlySpan<int> positions,
        ReadOnlySpan<int> rowOffsets,
        ReadOnlySpan<CommitPolicy> policies,
        Span<CommittedToken> committed,
        Span<int> counts) =>
        inner.ScoreAndSelect(logits, sampling, suppressedToken, positions, rowOffsets, policies, committed, counts);

    public void Dispose() => inner.Dispose();

    private void Then(IDeviceBuffer output, Action op)
    {
        op();
        Round(output);
    }

    private void Round(IDeviceBuffer buffer)
    {
        if (logits.Contains(buffer))
        {
            return;
        }

        var values = new float[(long)buffer.Rows * buffer.Columns];
        inner.Download(buffer, values);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BFloat16.Round(values[i]);
        }

        inner.Upload(values, buffer);
    }
}
