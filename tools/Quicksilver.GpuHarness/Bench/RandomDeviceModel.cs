using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cuda;

namespace Quicksilver.GpuHarness.Bench;

/// <summary>
/// An LLaDA-style transformer whose weights are created on the device (<see cref="CudaBackend.CreateRandomWeight(string, int, int, ulong, float, float)"/>)
/// and whose forward pass issues exactly the operation sequence of <c>DiffusionTransformer.RunToLogits</c>:
/// embed; per block RMSNorm, q/k/v GEMMs, RoPE on q and k, attention, output GEMM, residual add, RMSNorm,
/// gate/up GEMMs, SwiGLU, down GEMM, residual add; then gather the scored rows, final RMSNorm, LM head (fp32), and
/// the fused epilogue. (The real class loads weights from a checkpoint, which 16 GB of random weights should not
/// pass through.)
/// </summary>
internal sealed class RandomDeviceModel : IDisposable
{
    private readonly CudaBackend backend;
    private readonly BenchShape shape;
    private readonly List<IWeight> all = [];
    private readonly List<IDeviceBuffer> buffers = [];
    private readonly IWeight embedding, finalNorm, head;
    private readonly Layer[] layers;
    private IDeviceBuffer hidden = null!, normed = null!, queries = null!, keys = null!, values = null!, attended = null!, projected = null!;
    private IDeviceBuffer gate = null!, up = null!, activated = null!, gathered = null!, gatheredNormed = null!, logits = null!;

    public RandomDeviceModel(CudaBackend backend, BenchShape shape, ulong seed)
    {
        this.backend = backend;
        this.shape = shape;
        int d = shape.Hidden, kv = shape.KvHeads * shape.HeadDim, ff = shape.Intermediate;
        float sd = 1f / MathF.Sqrt(d), sff = 1f / MathF.Sqrt(ff);
        ulong s = seed;
        embedding = Track(backend.CreateRandomWeight("wte", shape.Vocab, d, s++, 1f));
        layers = new Layer[shape.Layers];
        for (int i = 0; i < shape.Layers; i++)
        {
            layers[i] = new Layer(
                Track(backend.CreateRandomWeight($"{i}.attn_norm", 1, d, s++, 0.1f, 1f)),
                Track(backend.CreateRandomWeight($"{i}.q", d, d, s++, sd)),
                Track(backend.CreateRandomWeight($"{i}.k", kv, d, s++, sd)),
                Track(backend.CreateRandomWeight($"{i}.v", kv, d, s++, sd)),
                Track(backend.CreateRandomWeight($"{i}.o", d, d, s++, sd)),
                Track(backend.CreateRandomWeight($"{i}.ff_norm", 1, d, s++, 0.1f, 1f)),
                Track(backend.CreateRandomWeight($"{i}.gate", ff, d, s++, sd)),
                Track(backend.CreateRandomWeight($"{i}.up", ff, d, s++, sd)),
                Track(backend.CreateRandomWeight($"{i}.down", d, ff, s++, sff)));
        }

        finalNorm = Track(backend.CreateRandomWeight("ln_f", 1, d, s++, 0.1f, 1f));
        head = Track(backend.CreateRandomWeight("ff_out", shape.Vocab, d, s, sd));
        backend.Synchronize();
    }

    private sealed record Layer(IWeight AttnNorm, IWeight Q, IWeight K, IWeight V, IWeight O, IWeight FfNorm, IWeight Gate, IWeight Up, IWeight Down);

    /// <summary>Allocates the activations for <paramref name="tokens"/> rows and <paramref name="scored"/> LM-head rows.</summary>
    public void Allocate(int tokens, int scored)
    {
        ReleaseBuffers();
        int d = shape.Hidden, kv = shape.KvHeads * shape.HeadDim, ff = shape.Intermediate;
        hidden = Buffer(tokens, d);
        normed = Buffer(tokens, d);
        queries = Buffer(tokens, d);
        keys = Buffer(tokens, kv);
        values = Buffer(tokens, kv);
        attended = Buffer(tokens, d);
        projected = Buffer(tokens, d);
        gate = Buffer(tokens, ff);
        up = Buffer(tokens, ff);
        activated = Buffer(tokens, ff);
        gathered = Buffer(scored, d);
        gatheredNormed = Buffer(scored, d);
        logits = Buffer(scored, shape.Vocab, BufferKind.Logits);
    }

    /// <summary>One denoising step: the forward pass to fp32 logits of the scored rows, then the fused epilogue.</summary>
    public void Step(StepInputs inputs, TokenScore[] results)
    {
        RunToLogits(inputs);
        backend.ScoreLogits(logits, inputs.Sampling, BenchShape.MaskTokenId, results);
    }

    public void RunToLogits(StepInputs inputs)
    {
        CudaBackend b = backend;
        float eps = 1e-5f;
        b.Embed(embedding, inputs.Tokens, hidden);
        b.RmsNorm(hidden, layers[0].AttnNorm, eps, normed);
        for (int l = 0; l < layers.Length; l++)
        {
            Layer layer = layers[l];
            b.MatMulShared(normed, [layer.Q, layer.K, layer.V], [null, null, null], [queries, keys, values]);
            b.ApplyRope(queries, shape.Heads, keys, shape.KvHeads, shape.HeadDim, inputs.Positions, shape.RopeTheta);
            if (inputs.CacheWrites.Length > 0)
            {
                b.WriteKvCache(keys, values, l, inputs.CacheWrites);
            }

            b.Attention(queries, keys, values, inputs.Layout with { CacheLayer = l }, shape.Heads, shape.KvHeads, shape.HeadDim, attended);
            b.MatMul(attended, layer.O, null, projected);
            b.AddRmsNorm(hidden, projected, layer.FfNorm, eps, normed);
            b.MatMulShared(normed, [layer.Gate, layer.Up], [null, null], [gate, up]);
            b.SwiGlu(gate, up, activated);
            b.MatMul(activated, layer.Down, null, projected);
            if (l + 1 < layers.Length)
            {
                b.AddRmsNorm(hidden, projected, layers[l + 1].AttnNorm, eps, normed);
            }
            else
            {
                b.Add(hidden, projected);
            }
        }

        LmHead(inputs);
    }

    /// <summary>Only the attention calls of a step (timing breakdown); needs a previous forward for q/k/v.</summary>
    public void AttentionOnly(StepInputs inputs)
    {
        for (int l = 0; l < layers.Length; l++)
        {
            backend.Attention(queries, keys, values, inputs.Layout with { CacheLayer = l }, shape.Heads, shape.KvHeads, shape.HeadDim, attended);
        }
    }

    /// <summary>Only the GEMMs of a step, the seven of every block and the LM head's (timing breakdown); needs a previous forward.</summary>
    public void GemmsOnly()
    {
        foreach (Layer layer in layers)
        {
            backend.MatMulShared(normed, [layer.Q, layer.K, layer.V], [null, null, null], [queries, keys, values]);
            backend.MatMul(attended, layer.O, null, projected);
            backend.MatMulShared(normed, [layer.Gate, layer.Up], [null, null], [gate, up]);
            backend.MatMul(activated, layer.Down, null, projected);
        }

        backend.MatMul(gatheredNormed, head, null, logits);
    }

    /// <summary>Bytes of weights one step reads: every block's matrices and the LM head (the embedding rows are few).</summary>
    public long StepWeightBytes => (long)(shape.Parameters - ((double)shape.Vocab * shape.Hidden)) * 2;

    /// <summary>Gather the scored rows, final norm and the LM head GEMM (timing breakdown).</summary>
    public void LmHead(StepInputs inputs)
    {
        backend.GatherRows(hidden, inputs.ScoreRows, gathered);
        backend.RmsNorm(gathered, finalNorm, 1e-5f, gatheredNormed);
        backend.MatMul(gatheredNormed, head, null, logits);
    }

    /// <summary>Only the fused epilogue (timing breakdown); needs logits from a previous step.</summary>
    public void ScoreOnly(StepInputs inputs, TokenScore[] results) => backend.ScoreLogits(logits, inputs.Sampling, BenchShape.MaskTokenId, results);

    public void Dispose()
    {
        ReleaseBuffers();
        foreach (IWeight w in all)
        {
            w.Dispose();
        }

        all.Clear();
    }

    private IWeight Track(IWeight weight)
    {
        all.Add(weight);
        return weight;
    }

    private IDeviceBuffer Buffer(int rows, int columns, BufferKind kind = BufferKind.Activation)
    {
        IDeviceBuffer buffer = backend.Allocate(rows, columns, kind);
        buffers.Add(buffer);
        return buffer;
    }

    private void ReleaseBuffers()
    {
        foreach (IDeviceBuffer buffer in buffers)
        {
            buffer.Dispose();
        }

        buffers.Clear();
    }
}
