using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Compute.Tests;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

/// <summary>
/// Each CUDA operation against <see cref="CpuBackend"/> on the same bf16-representable inputs (skipped without a
/// device). Tolerances: bf16 outputs rel-L2 ≤ 1e-2 and |Δ| ≤ 1e-2 + 1.6e-2·|ref| (one or two bf16 ulps plus fp32
/// reordering); fp32 outputs from bf16 GEMMs rel-L2 ≤ 1e-3; copies exact.
/// </summary>
public sealed class CudaBackendParityTests : IDisposable
{
    private const double Bf16RelL2 = 1e-2;
    private const double Bf16Atol = 1e-2;
    private const double Bf16Rtol = 1.6e-2;

    private readonly CpuBackend cpu = new(new CpuBackendOptions { Threads = 2 });
    private readonly Lazy<CudaBackend> gpu = new(() => new CudaBackend(new CudaBackendOptions { SynchronizeEachLaunch = true, PrecompileKernels = false }));
    private readonly ParityTensors data = new(Environment.TickCount);

    private CudaBackend Gpu => gpu.Value;

    public void Dispose()
    {
        if (gpu.IsValueCreated)
        {
            gpu.Value.Dispose();
        }

        cpu.Dispose();
        data.Dispose();
    }

    [CudaFact]
    public void Embed_MatchesCpuExactly()
    {
        float[] table = data.Values(50 * 64);
        CheckpointTensor t = data.Tensor("wte", table, 50, 64);
        int[] tokens = [3, 0, 49, 3, 17];
        float[] Embed(IComputeBackend b)
        {
            using IWeight weight = b.LoadWeight(t);
            using IDeviceBuffer output = Out(b, tokens.Length, 64);
            b.Embed(weight, tokens, output);
            return Down(b, output);
        }

        Assert.Equal(Embed(cpu), Embed(Gpu));
    }

    [CudaFact]
    public void RmsNorm_MatchesCpu()
    {
        float[] x = data.Values(7 * 4096, 2f);
        CheckpointTensor w = data.Tensor("norm", data.Values(4096, 0.2f, 1f), 4096);
        float[] expected = Unary(cpu, x, 4096, (b, i, o) => b.RmsNorm(i, b.LoadWeight(w), 1e-5f, o));
        float[] actual = Unary(Gpu, x, 4096, (b, i, o) => b.RmsNorm(i, b.LoadWeight(w), 1e-5f, o));

        ParityTensors.AssertClose(expected, actual, Bf16RelL2, Bf16Atol, Bf16Rtol, "rmsnorm");
    }

    [CudaFact]
    public void MatMul_WithBias_MatchesCpu()
    {
        float[] x = data.Values(37 * 256);
        CheckpointTensor w = data.Tensor("w", data.Values(96 * 256, 0.1f), 96, 256);
        CheckpointTensor bias = data.Tensor("b", data.Values(96), 96);
        float[] expected = MatMul(cpu, x, w, bias, BufferKind.Activation);
        float[] actual = MatMul(Gpu, x, w, bias, BufferKind.Activation);

        ParityTensors.AssertClose(expected, actual, Bf16RelL2, Bf16Atol, Bf16Rtol, "matmul+bias");
    }

    [CudaFact]
    public void MatMulShared_EqualShapesBatched_MatchesCpuAndTheProductsOneByOne()
    {
        // Dream-like: q wider than k and v (GQA), all three with a bias; k and v run as one batched GEMM, q alone.
        float[] x = data.Values(19 * 64);
        CheckpointTensor[] w = [data.Tensor("q", data.Values(96 * 64, 0.1f), 96, 64), data.Tensor("k", data.Values(48 * 64, 0.1f), 48, 64), data.Tensor("v", data.Values(48 * 64, 0.1f), 48, 64)];
        CheckpointTensor[] bias = [data.Tensor("qb", data.Values(96), 96), data.Tensor("kb", data.Values(48), 48), data.Tensor("vb", data.Values(48), 48)];
        float[] Products(IComputeBackend b)
        {
            IWeight[] weights = [.. w.Select(b.LoadWeight)];
            IWeight[] loadedBiases = [.. bias.Select(b.LoadWeight)];
            IWeight?[] biases = loadedBiases;
            using IDeviceBuffer input = In(b, x, 64);
            IDeviceBuffer[] outputs = [.. weights.Select(weight => Out(b, 19, weight.Rows))];
            try
            {
                b.MatMulShared(input, weights, biases, outputs);
                return [.. outputs.SelectMany(o => Down(b, o))];
            }
            finally
            {
                foreach (IDisposable d in weights.Concat(loadedBiases).Concat<IDisposable>(outputs))
                {
                    d.Dispose();
                }
            }
        }

        float[] batched = Products(Gpu);
        Gpu.BatchSharedProducts = false;
        float[] oneByOne = Products(Gpu);
        Gpu.BatchSharedProducts = true;

        ParityTensors.AssertClose(Products(cpu), batched, Bf16RelL2, Bf16Atol, Bf16Rtol, "batched q/k/v + bias");
        ParityTensors.AssertClose(oneByOne, batched, Bf16RelL2, Bf16Atol, Bf16Rtol, "batched vs one by one");
    }

    [CudaFact]
    public void MatMul_LogitsInFp32_MatchesCpu()
    {
        float[] x = data.Values(9 * 256);
        CheckpointTensor w = data.Tensor("head", data.Values(1000 * 256, 0.1f), 1000, 256);
        float[] expected = MatMul(cpu, x, w, null, BufferKind.Logits);
        float[] actual = MatMul(Gpu, x, w, null, BufferKind.Logits);

        ParityTensors.AssertClose(expected, actual, 1e-3, 1e-3, 1e-3, "matmul logits");
    }

    [CudaFact]
    public void ApplyRope_QueriesAndKeysInOneLaunch_MatchCpu()
    {
        // Fewer key heads than query heads (GQA): each buffer keeps its own width, the same positions.
        const int heads = 4, kvHeads = 2, dim = 128, rows = 33;
        float[] q = data.Values(rows * heads * dim), k = data.Values(rows * kvHeads * dim);
        int[] positions = Enumerable.Range(0, rows).Select(i => (i * 131) % 4096).ToArray();
        float[] Rotate(IComputeBackend b)
        {
            using IDeviceBuffer qb = In(b, q, heads * dim), kb = In(b, k, kvHeads * dim);
            b.ApplyRope(qb, heads, kb, kvHeads, dim, positions, 500000.0);
            return [.. Down(b, qb), .. Down(b, kb)];
        }

        ParityTensors.AssertClose(Rotate(cpu), Rotate(Gpu), Bf16RelL2, Bf16Atol, Bf16Rtol, "rope of queries and keys");
    }

    [CudaFact]
    public void AddRmsNorm_Vectorised_IsAddThenRmsNormBitForBit_AndMatchesCpu() => AddRmsNormCase(4096);

    [CudaFact]
    public void AddRmsNorm_Scalar_IsAddThenRmsNormBitForBit_AndMatchesCpu() => AddRmsNormCase(100);

    private void AddRmsNormCase(int columns)
    {
        const int rows = 11;
        float[] hidden = data.Values(rows * columns, 4f), addend = data.Values(rows * columns, 1f);
        CheckpointTensor w = data.Tensor($"addnorm{columns}", data.Values(columns, 0.2f, 1f), columns);
        float[] Fused(IComputeBackend b)
        {
            using IWeight weight = b.LoadWeight(w);
            using IDeviceBuffer h = In(b, hidden, columns), a = In(b, addend, columns), o = Out(b, rows, columns);
            b.AddRmsNorm(h, a, weight, 1e-5f, o);
            return [.. Down(b, h), .. Down(b, o)];
        }

        float[] Separate(IComputeBackend b)
        {
            using IWeight weight = b.LoadWeight(w);
            using IDeviceBuffer h = In(b, hidden, columns), a = In(b, addend, columns), o = Out(b, rows, columns);
            b.Add(h, a);
            b.RmsNorm(h, weight, 1e-5f, o);
            return [.. Down(b, h), .. Down(b, o)];
        }

        float[] fused = Fused(Gpu);

        Assert.Equal(Separate(Gpu), fused);
        ParityTensors.AssertClose(Fused(cpu), fused, Bf16RelL2, Bf16Atol, Bf16Rtol, "add+rmsnorm");
    }

    [CudaFact(NeedsTensorCores = true)]
    public void Attention_TensorCores_VarlenGqa_MatchesCpu() => AttentionCase(CudaAttentionKernel.TensorCore, [1, 37, 200], 8, 2, 128);

    [CudaFact(NeedsTensorCores = true)]
    public void Attention_TensorCores_HeadDim64_MatchesCpu() => AttentionCase(CudaAttentionKernel.TensorCore, [65, 3], 4, 4, 64);

    [CudaFact]
    public void Attention_Simple_VarlenGqa_MatchesCpu() => AttentionCase(CudaAttentionKernel.Simple, [1, 37, 200], 8, 2, 128);

    [CudaFact]
    public void Attention_KeysFromKvCache_MatchesCpu()
    {
        var scenario = new CachedAttentionScenario(count => data.Values(count));

        ParityTensors.AssertClose(scenario.Attend(cpu, fromCache: true), scenario.Attend(Gpu, fromCache: true), Bf16RelL2, Bf16Atol, Bf16Rtol, "attention from a K/V cache");
    }

    [CudaFact]
    public void Attention_BlockCausal_Simple_MatchesCpu() => BlockCausalAttentionCase(CudaAttentionKernel.Simple);

    [CudaFact(NeedsTensorCores = true)]
    public void Attention_BlockCausal_TensorCores_MatchesCpu() => BlockCausalAttentionCase(CudaAttentionKernel.TensorCore);

    // Keys split across blocks (flash-decoding) and combined. 200 keys are 4 tiles: 3 splits take 1, 1 and 2; the
    // 37-key sequence's one tile leaves two splits empty; 16 splits leave most of every sequence's splits empty.
    [CudaFact(NeedsTensorCores = true)]
    public void Attention_TensorCores_KeysSplitInThree_MatchesCpu() => AttentionCase(CudaAttentionKernel.TensorCore, [1, 37, 200], 8, 2, 128, keySplits: 3);

    [CudaFact(NeedsTensorCores = true)]
    public void Attention_TensorCores_KeysSplitSixteenWays_MatchesCpu() => AttentionCase(CudaAttentionKernel.TensorCore, [65, 3, 130], 4, 4, 64, keySplits: 16);

    [CudaFact(NeedsTensorCores = true)]
    public void Attention_BlockCausal_TensorCores_KeysSplit_MatchesCpu() => BlockCausalAttentionCase(CudaAttentionKernel.TensorCore, keySplits: 2);

    // Block-causal over 5 tiles split 3 ways: rows of the early blocks find every key of the later splits masked.
    [CudaFact(NeedsTensorCores = true)]
    public void Attention_BlockCausalLongCanvas_TensorCores_KeysSplit_MatchesCpu() => AttentionCase(CudaAttentionKernel.TensorCore, [300, 70], 4, 2, 32, keySplits: 3, causalBlock: 32);

    [CudaFact(NeedsTensorCores = true)]
    public void Attention_TensorCores_NoKeysSplit_GivesZeros()
    {
        // Queries with an empty key range: every split is empty, so the combine sees only −∞ maxima.
        const int heads = 2, dim = 32;
        float[] q = data.Values(3 * heads * dim), k = data.Values(4 * heads * dim);
        using var split = new CudaBackend(new CudaBackendOptions { AttentionKernel = CudaAttentionKernel.TensorCore, SynchronizeEachLaunch = true, PrecompileKernels = false });
        split.AttentionKeySplits = 2;
        using IDeviceBuffer qb = In(split, q, heads * dim), kb = In(split, k, heads * dim), vb = In(split, k, heads * dim), o = Out(split, 3, heads * dim);
        split.Fill(o, float.NaN);

        split.Attention(qb, kb, vb, AttentionLayout.Packed([0, 3], [0, 0]), heads, heads, dim, o);

        Assert.All(Down(split, o), value => Assert.Equal(0f, value));
    }

    [CudaFact]
    public void AttentionKeySplits_OutsideOneToMax_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gpu.AttentionKeySplits = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gpu.AttentionKeySplits = AttentionKeySplits.Max + 1);
        Gpu.AttentionKeySplits = AttentionKeySplits.Max;
        Gpu.AttentionKeySplits = null;
    }

    [CudaFact(NeedsTensorCores = true)]
    public void Attention_KeysFromKvCache_KeysSplit_MatchesCpu()
    {
        var scenario = new CachedAttentionScenario(count => data.Values(count));
        using var split = new CudaBackend(new CudaBackendOptions { AttentionKernel = CudaAttentionKernel.TensorCore, SynchronizeEachLaunch = true, PrecompileKernels = false });
        split.AttentionKeySplits = 4;

        ParityTensors.AssertClose(scenario.Attend(cpu, fromCache: true), scenario.Attend(split, fromCache: true), Bf16RelL2, Bf16Atol, Bf16Rtol, "attention from a K/V cache, keys split");
    }

    [CudaFact]
    public void SwiGlu_And_Add_MatchCpu()
    {
        float[] g = data.Values(13 * 96, 4f), u = data.Values(13 * 96, 2f);
        float[] Swi(IComputeBackend b)
        {
            using IDeviceBuffer gb = In(b, g, 96), ub = In(b, u, 96), ob = Out(b, 13, 96);
            b.SwiGlu(gb, ub, ob);
            b.Add(ob, ub);
            return Down(b, ob);
        }

        ParityTensors.AssertClose(Swi(cpu), Swi(Gpu), Bf16RelL2, Bf16Atol, Bf16Rtol, "swiglu+add");
    }

    [CudaFact]
    public void GatherRows_MatchesCpuExactly()
    {
        float[] x = data.Values(10 * 40);
        int[] rows = [9, 0, 4, 4];
        float[] Gather(IComputeBackend b)
        {
            using IDeviceBuffer i = In(b, x, 40), o = Out(b, 4, 40);
            b.GatherRows(i, rows, o);
            return Down(b, o);
        }

        Assert.Equal(Gather(cpu), Gather(Gpu));
    }

    [CudaFact]
    public void AddLogitBias_Fp32AndBf16Logits_MatchCpu()
    {
        // Three spans, one with no biases, over 9 rows of 3000; the bf16 buffer's result is the CPU's fp32 sum rounded.
        const int rows = 9, vocab = 3000;
        float[] logits = [.. data.Values(rows * vocab, 4f).Select(BFloat16.Round)];
        LogitBiasRows[] spans = [new(0, 2, 0, 3), new(2, 3, 3, 0), new(5, 4, 3, 2)];
        TokenBias[] biases = [new(0, 1.5f), new(vocab - 1, -100f), new(17, 0.03125f), new(17, 100f), new(2999, -0.5f)];
        float[] Biased(IComputeBackend b, BufferKind kind)
        {
            using IDeviceBuffer l = b.Allocate(rows, vocab, kind);
            b.Upload(logits, l);
            b.AddLogitBias(l, spans, biases);
            return Down(b, l);
        }

        float[] expected = Biased(cpu, BufferKind.Logits);

        Assert.Equal(expected, Biased(Gpu, BufferKind.Logits));
        Assert.Equal([.. expected.Select(BFloat16.Round)], Biased(Gpu, BufferKind.Activation));
        Assert.Equal(logits[(2 * vocab) + 17], expected[(2 * vocab) + 17]); // the empty span's rows are untouched
    }

    [CudaFact]
    public void TopLogprobs_Fp32AndBf16Logits_MatchCpuExactly()
    {
        // GPT-2's vocabulary, bf16 values. Rows 0-2 on a 0.25 grid: the best 20 all tie, ranked by id alone. Rows 3-5
        // normal with σ = 3 (row 5 shifted to −16, all negative): the best 20 sit in the sparse tail and span several
        // values. The suppressed token tops every row.
        const int rows = 6, vocab = 50257, suppressed = 11;
        var random = new Random(3);
        float Normal() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        float Logit(int row) => row switch
        {
            < 3 => random.Next(-64, 32) * 0.25f,
            5 => BFloat16.Round(MathF.Min(-0.5f, (3f * Normal()) - 16f)),
            _ => BFloat16.Round(3f * Normal()),
        };
        float[] logits = [.. Enumerable.Range(0, rows * vocab).Select(i => Logit(i / vocab))];
        for (int r = 0; r < rows; r++)
        {
            logits[(r * vocab) + suppressed] = 20f;
        }

        TopLogprobsRow[] listed = [new(4, 7, -40f), new(0, 50256, -12.25f), new(4, 3, -1f), new(5, 0, -40f), new(5, 9, -30f), new(1, 2, -4f)];
        TokenLogprob[] Top(IComputeBackend b, BufferKind kind, int count)
        {
            using IDeviceBuffer l = b.Allocate(rows, vocab, kind);
            b.Upload(logits, l);
            var results = new TokenLogprob[listed.Length * count];
            b.TopLogprobs(l, listed, count, suppressed, results);
            return results;
        }

        foreach (int count in new[] { 1, 20 })
        {
            TokenLogprob[] expected = Top(cpu, BufferKind.Logits, count);
            Assert.Equal(expected, Top(Gpu, BufferKind.Logits, count));
            Assert.Equal(expected, Top(Gpu, BufferKind.Activation, count)); // the values are bf16
            Assert.DoesNotContain(expected, a => a.Token == suppressed);
            Assert.True(count == 1 || expected.Take(count).Select(a => a.LogProbability).Distinct().Count() > 3, "row 4's best should span several values");
            Assert.True(count == 1 || expected.Skip(count).Take(count).Select(a => a.LogProbability).Distinct().Count() == 1, "row 0's best should all tie");
            Assert.True(count == 1 || expected.Skip(3 * count).Take(count).Select(a => a.LogProbability).Distinct().Count() > 3, "row 5's best should span several values");
        }
    }

    [CudaFact]
    public void TopLogprobs_RowsThatStressTheThreadLists_MatchCpuExactly()
    {
        // 20 alternatives over rows that test the kernel's per-thread lists (256 threads). Vocabulary 6,000: row 0 rises
        // with the id (every new logit enters a list at its head), row 1 puts the 20 best in one thread's stride (ids
        // 3 mod 256), row 2 holds NaN, −NaN, ±∞ and ±0 among normal values, row 3 is normal. Vocabulary 1,000: about
        // 4 logits per thread, so no list fills. Vocabulary 21 with the mask inside: 20 alternatives are every candidate.
        var random = new Random(5);
        float Normal() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        float[] special = [BitConverter.UInt32BitsToSingle(0x7fc0_0000), BitConverter.UInt32BitsToSingle(0xffc0_0000), float.PositiveInfinity, float.NegativeInfinity, 0f, -0f];
        float Logit(int row, int i) => row switch
        {
            0 => i * 0.01f,
            1 => i % 256 == 3 ? 5f + (i * 1e-3f) : Normal(),
            2 => i % 97 < special.Length ? special[i % 97] : Normal(),
            _ => Normal(),
        };
        float[] Rows(int rows, int vocab) => [.. Enumerable.Range(0, rows * vocab).Select(i => Logit(i / vocab, i % vocab))];
        TokenLogprob[] Top(IComputeBackend b, float[] logits, int vocab, BufferKind kind, int suppressed, TopLogprobsRow[] listed)
        {
            using IDeviceBuffer l = b.Allocate(logits.Length / vocab, vocab, kind);
            b.Upload(logits, l);
            var results = new TokenLogprob[listed.Length * 20];
            b.TopLogprobs(l, listed, 20, suppressed, results);
            return results;
        }

        void Same(float[] logits, int vocab, int suppressed, TopLogprobsRow[] listed, BufferKind kind = BufferKind.Logits) =>
            Assert.Equal(Top(cpu, logits, vocab, BufferKind.Logits, suppressed, listed), Top(Gpu, logits, vocab, kind, suppressed, listed));

        float[] wide = Rows(4, 6000);
        TopLogprobsRow[] allFour = [new(0, 5999, -0.5f), new(1, 3, -2f), new(2, 10, -7f), new(3, 0, -9f)];
        Same(wide, 6000, 500, allFour);
        TokenLogprob[] expected = Top(cpu, wide, 6000, BufferKind.Logits, 500, allFour);
        Assert.Equal(Enumerable.Range(0, 20).Select(k => 5999 - k), expected.Take(20).Select(a => a.Token));
        Assert.All(expected.Skip(20).Take(20), a => Assert.Equal(3, a.Token % 256));
        Assert.All(expected.Skip(40).Take(20), a => Assert.Equal(0, a.Token % 97)); // a positive NaN ranks above +∞

        // bf16 buffers round special values their own way: rows 0, 1 and 3 only, rounded the same for both.
        float[] rounded = [.. wide.Take(12000).Concat(wide.Skip(18000)).Select(BFloat16.Round)];
        TopLogprobsRow[] finite = [new(0, 5999, -0.5f), new(1, 3, -2f), new(2, 0, -9f)];
        Same(rounded, 6000, 500, finite, BufferKind.Activation);

        Same(Rows(3, 1000), 1000, 999, [new(0, 10, -1f), new(1, 3, -2f), new(2, 0, -9f)]);

        float[] narrow = Rows(2, 21)[21..].Concat(Rows(1, 21)).ToArray();
        TopLogprobsRow[] both = [new(0, 1, -3f), new(1, 20, -1f)];
        Same(narrow, 21, 7, both);
        Assert.Equal(Enumerable.Range(0, 21).Where(t => t != 7), Top(cpu, narrow, 21, BufferKind.Logits, 7, both).Take(20).Select(a => a.Token).Order());
    }

    [CudaFact]
    public void DiffusionTransformer_TopLogprobsInTheBatch_ListTheDevicesBestTokensAtEachCommit()
    {
        using var dream = new DreamOnDevice(Gpu, seed: 10);
        ForwardSequence greedy = dream.Step(promptStart: 1, _ => new RowSampling(0f, 0, 0)) with { TopLogprobs = 5 };
        ForwardSequence sampled = dream.Step(promptStart: 30, p => new RowSampling(1f, 6, (ulong)p, TopK: 8)) with { TopLogprobs = 3 };
        ForwardSequence plain = dream.Step(promptStart: 60, _ => new RowSampling(0f, 0, 0));
        ForwardSequence[] batch = [greedy, plain, sampled];
        CommitPolicy policy = new(RemaskingStrategy.LowConfidence, CommitRule.Schedule, 0, 4, Seed: 6, Step: 0);
        var committed = new CommittedToken[48];
        var counts = new int[3];

        TokenLogprob[][] alternatives = dream.Model.ForwardAndSelect(batch, [policy, policy, policy], committed, counts);

        // The CPU's listing over the device's own logits (a second, identical forward pass), row for row.
        float[] logits = dream.Model.ComputeLogits(batch);
        using IDeviceBuffer onCpu = cpu.Allocate(48, dream.Config.VocabSize, BufferKind.Logits);
        cpu.Upload(logits, onCpu);
        Assert.Equal([4, 4, 4], counts);
        Assert.Empty(alternatives[1]);
        foreach (int s in new[] { 0, 2 })
        {
            int n = batch[s].TopLogprobs;
            TopLogprobsRow[] rows = [.. committed.Skip(16 * s).Take(4).Select(c => new TopLogprobsRow((16 * s) + c.Row, c.Token, c.LogProbability))];
            var expected = new TokenLogprob[4 * n];
            cpu.TopLogprobs(onCpu, rows, n, dream.Config.MaskTokenId, expected);
            Assert.Equal(expected, alternatives[s]);
        }

        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(new TokenLogprob(committed[k].Token, committed[k].LogProbability), alternatives[0][k * 5]);
        }
    }

    [CudaFact]
    public void ScoreLogits_GreedyAndGumbel_MatchCpu()
    {
        const int rows = 12, vocab = 50257;
        float[] logits = data.Values(rows * vocab, 8f);
        RowSampling[] sampling = Enumerable.Range(0, rows).Select(r => new RowSampling(r % 3 == 0 ? 0f : 0.5f * (r % 4), (ulong)r, 7)).ToArray();
        TokenScore[] Score(IComputeBackend b)
        {
            using IDeviceBuffer l = b.Allocate(rows, vocab, BufferKind.Logits);
            b.Upload(logits, l);
            var results = new TokenScore[rows];
            b.ScoreLogits(l, sampling, 5, results);
            return results;
        }

        TokenScore[] expected = Score(cpu), actual = Score(Gpu);
        for (int r = 0; r < rows; r++)
        {
            Assert.Equal(expected[r].Token, actual[r].Token);
            Assert.Equal(expected[r].Probability, actual[r].Probability, 1e-5f);
            Assert.Equal(expected[r].LogProbability, actual[r].LogProbability, 1e-4f);
            Assert.Equal(expected[r].Margin, actual[r].Margin, 1e-5f);
            Assert.Equal(expected[r].NegativeEntropy, actual[r].NegativeEntropy, 1e-3f);
            Assert.NotEqual(5, actual[r].Token);
        }
    }

    [CudaFact]
    public void CreateRandomWeight_MatchesHostHash()
    {
        using IWeight w = Gpu.CreateRandomWeight("r", 3, 1000, 42, 0.5f);
        var values = new float[3000];
        Gpu.DownloadWeight(w, values);
        for (int i = 0; i < values.Length; i++)
        {
            float u = ((float)(long)(CounterRng.Hash(42, 0, (ulong)i) >> 40) * (1f / 8388608f)) - 1f;
            Assert.Equal(BFloat16.Round(0.5f * u), values[i]);
        }
    }

    [CudaFact]
    public void DiffusionTransformer_LogitsMatchCpu()
    {
        foreach (ModelConfig config in new[] { RandomCheckpoint.LLaDAConfig(hidden: 128, heads: 4), RandomCheckpoint.DreamConfig(hidden: 128, heads: 4, kvHeads: 2) })
        {
            using var checkpoint = RandomCheckpoint.Create(config, TensorDType.BF16, seed: 3);
            using ITensorSource tensors = CheckpointLoader.Open(checkpoint.Folder);
            int[][] sequences = [[1, 2, 3], Enumerable.Range(0, 70).Select(i => (i * 7) % config.VocabSize).ToArray()];
            int[][] positions = [[0, 2], [5, 69, 33]];
            ForwardSequence[] batch = sequences.Select((t, s) => new ForwardSequence(t, positions[s], positions[s].Select(_ => new RowSampling(0f, 0, 0)).ToArray())).ToArray();
            using var cpuModel = new DiffusionTransformer(config, tensors, cpu);
            using var gpuModel = new DiffusionTransformer(config, tensors, Gpu);

            AssertModelLogitsClose(cpuModel.ComputeLogits(batch), gpuModel.ComputeLogits(batch), config.Architecture.ToString());
        }
    }

    [CudaFact]
    public void DiffusionTransformer_LLaDALayer_QueuesNineLaunches()
    {
        // q, k and v batched; RoPE of both; attention (keys unsplit); out; add+norm; gate and up batched; SwiGLU; down;
        // add+norm. Before the fusions a layer took 15.
        long LaunchesOfAStep(int layers)
        {
            ModelConfig config = RandomCheckpoint.LLaDAConfig(hidden: 128, heads: 4, layers: layers);
            using var checkpoint = RandomCheckpoint.Create(config, TensorDType.BF16, seed: 3);
            using ITensorSource tensors = CheckpointLoader.Open(checkpoint.Folder);
            using var model = new DiffusionTransformer(config, tensors, Gpu);
            var step = new ForwardSequence(new[] { 1, 2, 3, 4 }, [1, 3], [new RowSampling(0f, 0, 0), new RowSampling(0f, 0, 0)]);
            Gpu.AttentionKeySplits = 1;
            long before = Gpu.Launches;
            model.ComputeLogits([step]);
            return Gpu.Launches - before;
        }

        Assert.Equal(9, LaunchesOfAStep(layers: 3) - LaunchesOfAStep(layers: 2));
    }

    [CudaFact]
    public void DiffusionTransformer_RefreshThenDualWindow_LogitsMatchCpu()
    {
        // Dream's window starts one row before the block: row 39 scores position 40.
        foreach ((ModelConfig config, int windowStart) in new[] { (RandomCheckpoint.LLaDAConfig(hidden: 128, heads: 4, layers: 2), 40), (RandomCheckpoint.DreamConfig(hidden: 128, heads: 4, kvHeads: 2), 39) })
        {
            using var checkpoint = RandomCheckpoint.Create(config, TensorDType.BF16, seed: 5);
            using ITensorSource tensors = CheckpointLoader.Open(checkpoint.Folder);
            int[] canvas = Enumerable.Range(0, 48).Select(i => i < 40 ? (i * 5) % config.MaskTokenId : config.MaskTokenId).ToArray();
            int[] scored = [40, 43, 47];
            var step = new ForwardSequence(canvas, scored, scored.Select(_ => new RowSampling(0f, 0, 0)).ToArray());
            float[] Logits(IComputeBackend backend)
            {
                using var model = new DiffusionTransformer(config, tensors, backend);
                using IKvCache cache = model.AllocateKvCache(canvas.Length);
                model.ComputeLogits([step with { Cache = new KvCacheWindow(cache, 0, canvas.Length) }]);
                return model.ComputeLogits([step with { Cache = new KvCacheWindow(cache, windowStart, 48) }]);
            }

            AssertModelLogitsClose(Logits(cpu), Logits(Gpu), $"{config.Architecture} dual window after a refresh");
        }
    }

    [CudaFact]
    public void DiffusionTransformer_OriginInTheBatch_SelectsOnTheHostAsCommitSelection()
    {
        // select_commits.cu has no origin rule (CanSelect is false), so a batch holding an origin sequence takes the
        // host path: its commits, and its neighbour's, equal CommitSelection's over the device's own scores, exactly.
        using var dream = new DreamOnDevice(Gpu, seed: 7);
        ForwardSequence step = dream.Step(promptStart: 1, p => new RowSampling(0.7f, 9, (ulong)p));
        ForwardSequence[] batch = [step, step];
        CommitPolicy[] policies =
        [
            new(RemaskingStrategy.Origin, CommitRule.Schedule, 0, 0, Seed: 9, Step: 2, KeepProbability: 0.6),
            new(RemaskingStrategy.LowConfidence, CommitRule.Schedule, 0, 4, Seed: 9, Step: 2),
        ];
        AssertSelectsAsCommitSelectionOverTheScores(dream.Model, batch, policies);
        Assert.False(Gpu.CanSelect(policies[0]));
    }

    [CudaFact]
    public void DiffusionTransformer_TopPTopKRowsInTheBatch_DrawAsTheCpuReferenceOnTheDeviceOrTheHostPath()
    {
        // The truncated rows (the middle sequence's) are drawn on the device, as the CPU scorer draws them from the same
        // logits; the commits equal CommitSelection's over the device's scores, both when the device selects them and
        // when alg_temp (which select_commits.cu lacks, CanSelect is false) sends the step's selection to the host.
        using var dream = new DreamOnDevice(Gpu, seed: 8);
        DiffusionTransformer model = dream.Model;
        ForwardSequence truncated = dream.Step(promptStart: 20, p => new RowSampling(0.9f, 4, (ulong)p, TopP: 0.8, TopK: 5));
        ForwardSequence plain = dream.Step(promptStart: 1, p => new RowSampling(0.9f, 4, (ulong)p));
        ForwardSequence[] batch = [plain, truncated, plain];
        CommitPolicy onDevice = new(RemaskingStrategy.LowConfidence, CommitRule.Schedule, 0, 4, Seed: 4, Step: 1);
        CommitPolicy algTemp = new(RemaskingStrategy.Entropy, CommitRule.Schedule, 0, 4, Seed: 4, Step: 1, AlgorithmTemperature: 0.5);
        RowSampling[] sampling = [.. plain.Sampling, .. truncated.Sampling, .. plain.Sampling];
        var reference = new TokenScore[48];
        var untruncated = new TokenScore[48];
        using (IDeviceBuffer onCpu = cpu.Allocate(48, dream.Config.VocabSize, BufferKind.Logits))
        {
            cpu.Upload(model.ComputeLogits(batch), onCpu);
            cpu.ScoreLogits(onCpu, sampling, dream.Config.MaskTokenId, reference);
            cpu.ScoreLogits(onCpu, [.. sampling.Select(s => s with { TopP = 1, TopK = 0 })], dream.Config.MaskTokenId, untruncated);
        }

        TokenScore[] scores = AssertSelectsAsCommitSelectionOverTheScores(model, batch, [onDevice, onDevice, onDevice]);
        AssertSelectsAsCommitSelectionOverTheScores(model, batch, [onDevice, onDevice, algTemp]);

        Assert.True(Gpu.CanSelect(onDevice));
        Assert.False(Gpu.CanSelect(algTemp));
        Assert.Equal(reference.Select(s => s.Token), scores.Select(s => s.Token));
        Assert.NotEqual(untruncated.Skip(16).Take(16).Select(s => s.Token), reference.Skip(16).Take(16).Select(s => s.Token)); // top-p/top-k matter here
    }

    [CudaFact]
    public void DiffusionTransformer_LogitBiasInTheBatch_ForcesItsSequenceOnlyWhereTheDeviceSelects()
    {
        using var dream = new DreamOnDevice(Gpu, seed: 9);
        ForwardSequence plain = dream.Step(promptStart: 1, p => new RowSampling(0.8f, 5, (ulong)p, TopK: 10));
        var forced = plain with { LogitBias = [new TokenBias(9, 100f), new TokenBias(3, -100f)] };
        CommitPolicy policy = new(RemaskingStrategy.LowConfidence, CommitRule.Schedule, 0, 16, Seed: 5, Step: 0);
        (CommittedToken[] Commits, int[] Counts) Select(ForwardSequence[] batch)
        {
            var committed = new CommittedToken[16 * batch.Length];
            var counts = new int[batch.Length];
            dream.Model.ForwardAndSelect(batch, [.. batch.Select(_ => policy)], committed, counts);
            return (committed, counts);
        }

        (CommittedToken[] alone, int[] aloneCounts) = Select([plain]);
        (CommittedToken[] mixed, int[] counts) = Select([plain, forced]);

        Assert.Equal([16, 16], counts);
        Assert.All(mixed.Skip(16), c => Assert.Equal(9, c.Token));
        Assert.Equal(alone.Take(aloneCounts[0]), mixed.Take(counts[0]));
        Assert.True(Gpu.CanSelect(policy));
    }

    /// <summary>
    /// <see cref="DiffusionTransformer.ForwardAndSelect"/> on a batch of sequences scoring the same positions commits
    /// exactly what <see cref="CommitSelection.SelectBatch"/> commits over <see cref="DiffusionTransformer.Forward"/>'s
    /// scores, which it returns.
    /// </summary>
    private static TokenScore[] AssertSelectsAsCommitSelectionOverTheScores(DiffusionTransformer model, ForwardSequence[] batch, CommitPolicy[] policies)
    {
        int[] positions = [.. batch.SelectMany(s => s.ScorePositions)];
        int[] offsets = [0, .. batch.Select((_, i) => batch.Take(i + 1).Sum(s => s.ScorePositions.Count))];
        var scores = new TokenScore[positions.Length];
        var expected = new CommittedToken[positions.Length];
        var expectedCounts = new int[batch.Length];
        var committed = new CommittedToken[positions.Length];
        var counts = new int[batch.Length];

        model.Forward(batch, scores);
        CommitSelection.SelectBatch(scores, positions, offsets, policies, expected, expectedCounts);
        model.ForwardAndSelect(batch, policies, committed, counts);

        Assert.Equal(expectedCounts, counts);
        for (int s = 0; s < batch.Length; s++)
        {
            Assert.Equal(expected.AsSpan(offsets[s], counts[s]).ToArray(), committed.AsSpan(offsets[s], counts[s]).ToArray());
        }

        return scores;
    }

    /// <summary>
    /// Whole-model logits: bf16 activations through every layer against the CPU's fp32 ones compound to a few percent,
    /// so the element bound scales with the largest logit, as the GPU harness's <c>Tolerance.ModelLogits</c>. First run
    /// (the CPU emulator, kernels/emulator): rel-L2 2.3e-2 and largest |Δ| 0.11 at largest |logit| 4.7.
    /// </summary>
    private static void AssertModelLogitsClose(float[] expected, float[] actual, string label) =>
        ParityTensors.AssertClose(expected, actual, 3e-2, 5e-2 * expected.Max(Math.Abs), 0.05, label);

    private void BlockCausalAttentionCase(CudaAttentionKernel kernel, int? keySplits = null)
    {
        var scenario = new BlockCausalAttentionScenario(count => data.Values(count));
        using var special = new CudaBackend(new CudaBackendOptions { AttentionKernel = kernel, SynchronizeEachLaunch = true, PrecompileKernels = false });
        special.AttentionKeySplits = keySplits;
        ParityTensors.AssertClose(scenario.Attend(cpu), scenario.Attend(special), Bf16RelL2, Bf16Atol, Bf16Rtol, $"block-causal attention {kernel}");
    }

    private void AttentionCase(CudaAttentionKernel kernel, int[] lengths, int heads, int kvHeads, int dim, int? keySplits = null, int causalBlock = 0)
    {
        int[] offsets = new int[lengths.Length + 1];
        for (int i = 0; i < lengths.Length; i++)
        {
            offsets[i + 1] = offsets[i] + lengths[i];
        }

        int rows = offsets[^1];
        float[] q = data.Values(rows * heads * dim), k = data.Values(rows * kvHeads * dim), v = data.Values(rows * kvHeads * dim);
        AttentionLayout layout = AttentionLayout.SelfAttention(offsets) with { CausalBlockLength = causalBlock };
        float[] Attend(IComputeBackend b)
        {
            using IDeviceBuffer qb = In(b, q, heads * dim), kb = In(b, k, kvHeads * dim), vb = In(b, v, kvHeads * dim), o = Out(b, rows, heads * dim);
            b.Attention(qb, kb, vb, layout, heads, kvHeads, dim, o);
            return Down(b, o);
        }

        using var special = new CudaBackend(new CudaBackendOptions { AttentionKernel = kernel, SynchronizeEachLaunch = true, PrecompileKernels = false });
        special.AttentionKeySplits = keySplits;
        ParityTensors.AssertClose(Attend(cpu), Attend(special), Bf16RelL2, Bf16Atol, Bf16Rtol, $"attention {kernel}, keys split {keySplits?.ToString() ?? "as chosen"}");
    }

    private static IDeviceBuffer In(IComputeBackend b, float[] values, int columns)
    {
        IDeviceBuffer buffer = b.Allocate(values.Length / columns, columns);
        b.Upload(values, buffer);
        return buffer;
    }

    private static IDeviceBuffer Out(IComputeBackend b, int rows, int columns, BufferKind kind = BufferKind.Activation) => b.Allocate(rows, columns, kind);

    private static float[] Down(IComputeBackend b, IDeviceBuffer buffer)
    {
        var values = new float[buffer.Rows * buffer.Columns];
        b.Download(buffer, values);
        return values;
    }

    private static float[] Unary(IComputeBackend b, float[] x, int columns, Action<IComputeBackend, IDeviceBuffer, IDeviceBuffer> op, bool inPlace = false)
    {
        using IDeviceBuffer input = In(b, x, columns), output = Out(b, x.Length / columns, columns);
        op(b, input, output);
        return Down(b, inPlace ? input : output);
    }

    private static float[] MatMul(IComputeBackend b, float[] x, CheckpointTensor w, CheckpointTensor? bias, BufferKind kind)
    {
        using IWeight weight = b.LoadWeight(w);
        using IWeight? biasWeight = bias is null ? null : b.LoadWeight(bias);
        using IDeviceBuffer input = In(b, x, weight.Columns), output = Out(b, x.Length / weight.Columns, weight.Rows, kind);
        b.MatMul(input, weight, biasWeight, output);
        return Down(b, output);
    }

    /// <summary>
    /// A random bf16 Dream model (hidden 128, GQA 4:2) on the device, for the batch tests: canvases of 8 prompt tokens and
    /// 16 masks, every mask scored.
    /// </summary>
    private sealed class DreamOnDevice : IDisposable
    {
        private readonly RandomCheckpoint checkpoint;
        private readonly ITensorSource tensors;

        public DreamOnDevice(CudaBackend gpu, int seed)
        {
            checkpoint = RandomCheckpoint.Create(Config, TensorDType.BF16, seed);
            tensors = CheckpointLoader.Open(checkpoint.Folder);
            Model = new DiffusionTransformer(Config, tensors, gpu);
        }

        public ModelConfig Config { get; } = RandomCheckpoint.DreamConfig(hidden: 128, heads: 4, kvHeads: 2);

        public DiffusionTransformer Model { get; }

        /// <summary>Prompt tokens <paramref name="promptStart"/> … + 7, then 16 masks scored with <paramref name="sampling"/> (by position).</summary>
        public ForwardSequence Step(int promptStart, Func<int, RowSampling> sampling)
        {
            int[] canvas = [.. Enumerable.Range(promptStart, 8), .. Enumerable.Repeat(Config.MaskTokenId, 16)];
            int[] positions = [.. Enumerable.Range(8, 16)];
            return new ForwardSequence(canvas, positions, [.. positions.Select(sampling)]);
        }

        public void Dispose()
        {
            Model.Dispose();
            tensors.Dispose();
            checkpoint.Dispose();
        }
    }
}
