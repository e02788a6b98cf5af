using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>
/// The CPU backend with every activation output rounded to bf16, as the CUDA backend stores them — a stand-in for
/// CUDA in <c>parity --dry-run bf16</c>, to see on a machine without a GPU how far bf16 activations move the results
/// and so whether the tolerances leave room (logits buffers stay fp32, as on CUDA). K/V cache writes pass through:
/// keys and values arrive already rounded, so the cache holds bf16 values as on CUDA.
/// </summary>
internal sealed class Bf16EmulatingBackend() : ForwardingBackend(new CpuBackend(new CpuBackendOptions { Threads = Environment.ProcessorCount }), ownsInner: true)
{
    private readonly HashSet<IDeviceBuffer> logits = [];

    public override string Name => "cpu-bf16";

    public override string Description => "CPU backend rounding activations to bf16 (dry run)";

    public override IDeviceBuffer Allocate(int capacity, int columns, BufferKind kind = BufferKind.Activation)
    {
        IDeviceBuffer buffer = Inner.Allocate(capacity, columns, kind);
        if (kind == BufferKind.Logits)
        {
            logits.Add(buffer);
        }

        return buffer;
    }

    public override void Upload(ReadOnlySpan<float> source, IDeviceBuffer destination)
    {
        Inner.Upload(source, destination);
        Round(destination);
    }

    public override void Embed(IWeight table, ReadOnlySpan<int> tokens, IDeviceBuffer output)
    {
        int[] t = tokens.ToArray();
        Then(output, () => Inner.Embed(table, t, output));
    }

    public override void RmsNorm(IDeviceBuffer input, IWeight weight, float epsilon, IDeviceBuffer output) => Then(output, () => Inner.RmsNorm(input, weight, epsilon, output));

    public override void HeadRmsNorm(IDeviceBuffer queriesOrKeys, IWeight weight, int headCount, float epsilon) =>
        Then(queriesOrKeys, () => Inner.HeadRmsNorm(queriesOrKeys, weight, headCount, epsilon));

    public override void MatMul(IDeviceBuffer input, IWeight weight, IWeight? bias, IDeviceBuffer output) => Then(output, () => Inner.MatMul(input, weight, bias, output));

    public override void MatMulShared(IDeviceBuffer input, ReadOnlySpan<IWeight> weights, ReadOnlySpan<IWeight?> biases, ReadOnlySpan<IDeviceBuffer> outputs)
    {
        Inner.MatMulShared(input, weights, biases, outputs);
        foreach (IDeviceBuffer output in outputs)
        {
            Round(output);
        }
    }

    public override void ApplyRope(IDeviceBuffer queries, int queryHeadCount, IDeviceBuffer keys, int keyHeadCount, int headDim, ReadOnlySpan<int> positions, double theta)
    {
        Inner.ApplyRope(queries, queryHeadCount, keys, keyHeadCount, headDim, positions, theta);
        Round(queries);
        Round(keys);
    }

    public override void Attention(IDeviceBuffer queries, IDeviceBuffer keys, IDeviceBuffer values, AttentionLayout layout, int headCount, int kvHeadCount, int headDim, IDeviceBuffer output) =>
        Then(output, () => Inner.Attention(queries, keys, values, layout, headCount, kvHeadCount, headDim, output));

    public override void SwiGlu(IDeviceBuffer gate, IDeviceBuffer up, IDeviceBuffer output) => Then(output, () => Inner.SwiGlu(gate, up, output));

    public override void Add(IDeviceBuffer accumulator, IDeviceBuffer addend) => Then(accumulator, () => Inner.Add(accumulator, addend));

    // As CUDA's fused kernel: the sum is rounded before it is normalised.
    public override void AddRmsNorm(IDeviceBuffer accumulator, IDeviceBuffer addend, IWeight weight, float epsilon, IDeviceBuffer output)
    {
        Add(accumulator, addend);
        RmsNorm(accumulator, weight, epsilon, output);
    }

    public override void GatherRows(IDeviceBuffer input, ReadOnlySpan<int> rows, IDeviceBuffer output)
    {
        int[] r = rows.ToArray();
        Then(output, () => Inner.GatherRows(input, r, output));
    }

    public override void AddLogitBias(IDeviceBuffer logits, ReadOnlySpan<LogitBiasRows> spans, ReadOnlySpan<TokenBias> biases)
    {
        LogitBiasRows[] s = spans.ToArray();
        TokenBias[] b = biases.ToArray();
        Then(logits, () => Inner.AddLogitBias(logits, s, b));
    }

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
        Inner.Download(buffer, values);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BFloat16.Round(values[i]);
        }

        Inner.Upload(values, buffer);
    }
}
