using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cuda;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>Parity checks of the row-wise operations (everything but attention, the LM-head epilogue and whole models).</summary>
internal static class OperationChecks
{
    public static void Kernels(ParityContext c)
    {
        if (c.Cuda is not { } gpu)
        {
            c.Skip("dry run: no CUDA backend");
            return;
        }

        // Constructing the backend built every module (PrecompileKernels).
        c.Notes.Add(gpu.Description);
        foreach ((string file, string error) in gpu.KernelBuildFailures)
        {
            c.Metrics.Add(Comparison.Count($"build {file}", 1, 1, error));
        }

        c.Metrics.Add(Comparison.Count("modules failed to build", 1, gpu.KernelBuildFailures.Count, string.Join("; ", gpu.KernelBuildFailures.Keys)));
        (long free, long total) = gpu.MemoryInfo();
        c.Notes.Add($"device memory: {free / (1024.0 * 1024 * 1024):F1} GiB free of {total / (1024.0 * 1024 * 1024):F1} GiB");
    }

    public static void Embed(ParityContext c)
    {
        const int vocab = 1000, d = 264; // 264: rows are 16-byte aligned; d = 100 below exercises the scalar path
        foreach ((int columns, string label) in new[] { (d, "d264 (vector)"), (100, "d100 (scalar)") })
        {
            CheckpointTensor table = c.Tensors.Create($"wte{columns}", c.Data.Uniform(vocab * columns), vocab, columns);
            // Two calls with same-length, different token lists: the argument upload must not reuse stale ids.
            int[][] lists = [c.Data.Ints(37, vocab), c.Data.Ints(37, vocab)];
            foreach (int[] tokens in lists)
            {
                float[] Run(IComputeBackend b)
                {
                    using IWeight w = b.LoadWeight(table);
                    using IDeviceBuffer o = ParityContext.Output(b, tokens.Length, columns);
                    b.Embed(w, tokens, o);
                    return ParityContext.Download(b, o);
                }

                c.Compare($"embed {label}", Run(c.Cpu), Run(c.Device), Tolerance.Exact);
            }
        }
    }

    public static void GatherRows(ParityContext c)
    {
        foreach ((BufferKind kind, int columns) in new[] { (BufferKind.Activation, 4096), (BufferKind.Activation, 36), (BufferKind.Logits, 50257) })
        {
            float[] x = kind == BufferKind.Logits ? c.Data.Logits(40 * columns, 3f) : c.Data.Uniform(40 * columns);
            int[] rows = [.. c.Data.Ints(25, 40), 39, 0];
            float[] Run(IComputeBackend b)
            {
                using IDeviceBuffer i = ParityContext.Input(b, x, columns, kind);
                using IDeviceBuffer o = ParityContext.Output(b, rows.Length, columns, kind);
                b.GatherRows(i, rows, o);
                return ParityContext.Download(b, o);
            }

            c.Compare($"gather {kind} x{columns}", Run(c.Cpu), Run(c.Device), Tolerance.Exact);
        }
    }

    public static void RmsNorm(ParityContext c)
    {
        foreach (int d in new[] { 4096, 3584, 100 })
        {
            float[] x = c.Data.Uniform(23 * d, 3f);
            CheckpointTensor w = c.Tensors.Create($"norm{d}", c.Data.Uniform(d, 0.3f, 1f), d);
            float[] Run(IComputeBackend b)
            {
                using IWeight weight = b.LoadWeight(w);
                using IDeviceBuffer i = ParityContext.Input(b, x, d);
                using IDeviceBuffer o = ParityContext.Output(b, 23, d);
                b.RmsNorm(i, weight, 1e-5f, o);
                return ParityContext.Download(b, o);
            }

            c.Compare($"rmsnorm d{d}", Run(c.Cpu), Run(c.Device), Tolerance.Bf16);
        }
    }

    public static void HeadRmsNorm(ParityContext c)
    {
        // (rows, heads, head_dim): SDAR-1.7B's queries and keys, and a width the vectorised path does not take.
        foreach ((int rows, int heads, int headDim) in new[] { (23, 16, 128), (23, 8, 128), (9, 3, 36) })
        {
            float[] x = c.Data.Uniform(rows * heads * headDim, 3f);
            CheckpointTensor w = c.Tensors.Create($"headnorm{heads}x{headDim}", c.Data.Uniform(headDim, 0.3f, 1f), headDim);
            float[] Run(IComputeBackend b)
            {
                using IWeight weight = b.LoadWeight(w);
                using IDeviceBuffer io = ParityContext.Input(b, x, heads * headDim);
                b.HeadRmsNorm(io, weight, heads, 1e-6f);
                return ParityContext.Download(b, io);
            }

            c.Compare($"head rmsnorm {heads}x{headDim}", Run(c.Cpu), Run(c.Device), Tolerance.Bf16);
        }
    }

    public static void MatMul(ParityContext c)
    {
        // (rows, in, out, bias, output kind)
        var cases = new (int Rows, int In, int Out, bool Bias, BufferKind Kind)[]
        {
            (37, 512, 384, false, BufferKind.Activation),
            (5, 256, 136, true, BufferKind.Activation),
            (300, 1024, 768, true, BufferKind.Activation),
            (19, 512, 50304, false, BufferKind.Logits),
            (7, 256, 1000, true, BufferKind.Logits),
        };
        foreach ((int rows, int inF, int outF, bool hasBias, BufferKind kind) in cases)
        {
            float[] x = c.Data.Uniform(rows * inF);
            CheckpointTensor w = c.Tensors.Create($"w{rows}x{outF}", c.Data.Uniform(outF * inF, 1f / MathF.Sqrt(inF)), outF, inF);
            CheckpointTensor? bias = hasBias ? c.Tensors.Create($"b{rows}x{outF}", c.Data.Uniform(outF, 0.5f), outF) : null;
            float[] Run(IComputeBackend b)
            {
                using IWeight weight = b.LoadWeight(w);
                using IWeight? bw = bias is null ? null : b.LoadWeight(bias);
                using IDeviceBuffer i = ParityContext.Input(b, x, inF);
                using IDeviceBuffer o = ParityContext.Output(b, rows, outF, kind);
                b.MatMul(i, weight, bw, o);
                return ParityContext.Download(b, o);
            }

            c.Compare($"matmul [{rows}x{inF}]·[{outF}x{inF}]ᵀ{(hasBias ? "+bias" : string.Empty)} → {kind}", Run(c.Cpu), Run(c.Device), kind == BufferKind.Logits ? Tolerance.Fp32Gemm : Tolerance.Bf16);
        }
    }

    public static void Rope(ParityContext c)
    {
        // Query and key heads rotate in one launch; fewer key heads (GQA) as Dream and SDAR have.
        foreach ((int heads, int kvHeads, int dim, double theta, int rows) in new[] { (4, 4, 128, 500000.0, 70), (7, 1, 64, 1000000.0, 33), (2, 1, 32, 10000.0, 9) })
        {
            float[] q = c.Data.Uniform(rows * heads * dim), k = c.Data.Uniform(rows * kvHeads * dim);
            int[] positions = [.. Enumerable.Range(0, rows - 2).Select(_ => c.Data.Next(4096)), 0, 4095];
            float[] Run(IComputeBackend b)
            {
                using IDeviceBuffer qb = ParityContext.Input(b, q, heads * dim), kb = ParityContext.Input(b, k, kvHeads * dim);
                b.ApplyRope(qb, heads, kb, kvHeads, dim, positions, theta);
                return [.. ParityContext.Download(b, qb), .. ParityContext.Download(b, kb)];
            }

            c.Compare($"rope {heads}+{kvHeads}x{dim} θ={theta:G}", Run(c.Cpu), Run(c.Device), Tolerance.Bf16);
        }
    }

    public static void SwiGlu(ParityContext c)
    {
        foreach ((int rows, int cols) in new[] { (29, 12288), (3, 37) })
        {
            float[] g = c.Data.Uniform(rows * cols, 6f), u = c.Data.Uniform(rows * cols, 2f);
            float[] Run(IComputeBackend b)
            {
                using IDeviceBuffer gb = ParityContext.Input(b, g, cols), ub = ParityContext.Input(b, u, cols);
                using IDeviceBuffer o = ParityContext.Output(b, rows, cols);
                b.SwiGlu(gb, ub, o);
                return ParityContext.Download(b, o);
            }

            c.Compare($"swiglu {rows}x{cols}", Run(c.Cpu), Run(c.Device), Tolerance.Bf16);
        }
    }

    public static void Add(ParityContext c)
    {
        foreach ((int rows, int cols) in new[] { (31, 4096), (5, 37) })
        {
            float[] a = c.Data.Uniform(rows * cols, 4f), d = c.Data.Uniform(rows * cols, 1f);
            float[] Run(IComputeBackend b)
            {
                using IDeviceBuffer ab = ParityContext.Input(b, a, cols), db = ParityContext.Input(b, d, cols);
                b.Add(ab, db);
                return ParityContext.Download(b, ab);
            }

            c.Compare($"add {rows}x{cols}", Run(c.Cpu), Run(c.Device), Tolerance.Bf16);
        }
    }

    public static void AddRmsNorm(ParityContext c)
    {
        foreach ((int rows, int cols) in new[] { (31, 4096), (5, 100) })
        {
            float[] a = c.Data.Uniform(rows * cols, 4f), d = c.Data.Uniform(rows * cols, 1f);
            CheckpointTensor w = c.Tensors.Create($"addnorm{cols}", c.Data.Uniform(cols, 0.3f, 1f), cols);
            float[] Run(IComputeBackend b)
            {
                using IWeight weight = b.LoadWeight(w);
                using IDeviceBuffer ab = ParityContext.Input(b, a, cols), db = ParityContext.Input(b, d, cols);
                using IDeviceBuffer o = ParityContext.Output(b, rows, cols);
                b.AddRmsNorm(ab, db, weight, 1e-5f, o);
                return [.. ParityContext.Download(b, ab), .. ParityContext.Download(b, o)];
            }

            c.Compare($"add_rmsnorm {rows}x{cols} (sum, then norm)", Run(c.Cpu), Run(c.Device), Tolerance.Bf16);
        }
    }

    /// <summary>
    /// <c>logit_bias.cu</c>: three spans (one without biases) over LLaDA-wide rows, exact in fp32, and exactly the
    /// CPU's fp32 sum rounded to bf16 in a bf16 buffer.
    /// </summary>
    public static void LogitBias(ParityContext c)
    {
        const int rows = 9, vocab = 126464;
        float[] logits = [.. c.Data.Uniform(rows * vocab, 4f).Select(BFloat16.Round)];
        LogitBiasRows[] spans = [new(0, 2, 0, 3), new(2, 3, 3, 0), new(5, 4, 3, 2)];
        TokenBias[] biases = [new(0, 1.5f), new(vocab - 1, -100f), new(17, 0.03125f), new(17, 100f), new(126000, -0.5f)];
        float[] Biased(IComputeBackend b, BufferKind kind)
        {
            using IDeviceBuffer buffer = ParityContext.Input(b, logits, vocab, kind);
            b.AddLogitBias(buffer, spans, biases);
            return ParityContext.Download(b, buffer);
        }

        float[] expected = Biased(c.Cpu, BufferKind.Logits);
        c.Compare("logit_bias fp32 logits", expected, Biased(c.Device, BufferKind.Logits), Tolerance.Exact);
        c.Compare("logit_bias bf16 logits", [.. expected.Select(BFloat16.Round)], Biased(c.Device, BufferKind.Activation), Tolerance.Exact);
    }

    /// <summary>
    /// <c>top_logprobs.cu</c>: 20, 5 and 1 alternatives at rows of LLaDA's vocabulary (the mask on top of every row):
    /// even rows on a 1/8 grid, where the best all tie and rank by id; odd rows the harness's bf16 logits, the last all
    /// negative. Exact against <c>CpuBackend.TopLogprobs</c> in fp32 and bf16 buffers; then the time to list 20
    /// alternatives at 64 rows against the LM-head epilogue over the same rows.
    /// </summary>
    public static void TopLogprobs(ParityContext c)
    {
        const int rows = 8, vocab = 126464, mask = 126336;
        var random = new Random(c.Seed);
        float[] spread = c.Data.Logits(rows * vocab, 3f);
        float Logit(int i) => (i / vocab) switch
        {
            _ when i % vocab == mask => 30f,
            int row when row % 2 == 0 => random.Next(-96, 64) / 8f,
            rows - 1 => BFloat16.Round(spread[i] - 10f),
            _ => BFloat16.Round(spread[i]),
        };
        float[] logits = [.. Enumerable.Range(0, rows * vocab).Select(Logit)];
        TopLogprobsRow[] listed = [.. Enumerable.Range(0, 16).Select(i => new TopLogprobsRow((i * 5) % rows, (i * 7919) % vocab, -random.Next(1, 320) / 8f))];
        float[] Flattened(IComputeBackend b, BufferKind kind, int count)
        {
            using IDeviceBuffer buffer = ParityContext.Input(b, logits, vocab, kind);
            var results = new TokenLogprob[listed.Length * count];
            b.TopLogprobs(buffer, listed, count, mask, results);
            return [.. results.SelectMany(r => new[] { r.Token, r.LogProbability })];
        }

        foreach (int count in new[] { 20, 5, 1 })
        {
            float[] expected = Flattened(c.Cpu, BufferKind.Logits, count);
            c.Compare($"top_logprobs {count} fp32 logits (token, logprob pairs)", expected, Flattened(c.Device, BufferKind.Logits, count), Tolerance.Exact);
            c.Compare($"top_logprobs {count} bf16 logits (token, logprob pairs)", expected, Flattened(c.Device, BufferKind.Activation, count), Tolerance.Exact);
        }

        TimeTopLogprobs(c, mask);
    }

    private static void TimeTopLogprobs(ParityContext c, int mask)
    {
        const int rows = 64, vocab = 126464, count = 20;
        using IDeviceBuffer buffer = ParityContext.Input(c.Device, c.Data.Logits(rows * vocab, 3f), vocab, BufferKind.Logits);
        RowSampling[] sampling = [.. Enumerable.Range(0, rows).Select(r => new RowSampling(0f, 0, (ulong)r))];
        TopLogprobsRow[] listed = [.. Enumerable.Range(0, rows).Select(r => new TopLogprobsRow(r, 0, -1f))];
        var scores = new TokenScore[rows];
        var alternatives = new TokenLogprob[rows * count];
        double score = BestTime.Milliseconds(() => c.Device.ScoreLogits(buffer, sampling, mask, scores));
        double top = BestTime.Milliseconds(() => c.Device.TopLogprobs(buffer, listed, count, mask, alternatives));
        c.Notes.Add($"{rows} rows x vocab {vocab}: ScoreLogits greedy {score:F3} ms, TopLogprobs {count} {top:F3} ms ({top / score:F1}x), wall clock incl. the download, best of 5");
    }

    public static void RandomWeights(ParityContext c)
    {
        if (c.Cuda is not { } gpu)
        {
            c.Skip("dry run: CreateRandomWeight is CUDA-only");
            return;
        }

        ulong seed = (ulong)c.Seed;
        foreach ((int rows, int cols, float scale, float offset) in new[] { (3, 1000, 0.02f, 0f), (1, 4096, 0.1f, 1f) })
        {
            using IWeight w = gpu.CreateRandomWeight("random", rows, cols, seed, scale, offset);
            var actual = new float[rows * cols];
            gpu.DownloadWeight(w, actual);
            var expected = new float[rows * cols];
            for (int i = 0; i < expected.Length; i++)
            {
                float u = ((float)(long)(CounterRng.Hash(seed, 0, (ulong)i) >> 40) * (1f / 8388608f)) - 1f;
                float v = offset + (scale * u);
                expected[i] = rows == 1 ? v : BFloat16.Round(v);
            }

            c.Compare($"CreateRandomWeight {rows}x{cols} vs host CounterRng", expected, actual, Tolerance.Exact);
        }
    }
}
