using Quicksilver.Engine.Compute;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>
/// Attention against the CPU reference at several packed-batch shapes. Each check runs with one CUDA kernel
/// (the context's backend is created with it), so both versions in kernels/attention.cu are checked separately.
/// </summary>
internal static class AttentionChecks
{
    /// <summary>(label, query lengths, key lengths, heads, kv heads, head dim)</summary>
    public static IReadOnlyList<(string Label, int[] QueryLengths, int[] KeyLengths, int Heads, int KvHeads, int HeadDim)> Cases { get; } =
    [
        ("varlen 1/37/200 MHA d128", [1, 37, 200], [1, 37, 200], 4, 4, 128),
        ("varlen 5/64/130 GQA 14:2 d128", [5, 64, 130], [5, 64, 130], 14, 2, 128),
        ("varlen 65/3/128 d64", [65, 3, 128], [65, 3, 128], 4, 4, 64),
        ("varlen 17/100 GQA 2:1 d32", [17, 100], [17, 100], 2, 1, 32),
        ("block queries 4/32 over keys 50/300 d128", [4, 32], [50, 300], 4, 4, 128),
        ("full canvas 768 x2 d128", [768, 768], [768, 768], 4, 4, 128),
    ];

    public static void Run(ParityContext c)
    {
        c.Notes.Add($"CUDA attention kernel: {c.Cuda?.AttentionKernelName ?? "(dry run)"}");
        foreach ((string label, int[] qLengths, int[] kLengths, int heads, int kvHeads, int dim) in Cases)
        {
            int[] qOffsets = Offsets(qLengths), kOffsets = Offsets(kLengths);
            int qRows = qOffsets[^1], kRows = kOffsets[^1];
            float[] q = c.Data.Uniform(qRows * heads * dim, 2f);
            float[] k = c.Data.Uniform(kRows * kvHeads * dim, 2f);
            float[] v = c.Data.Uniform(kRows * kvHeads * dim);
            var layout = AttentionLayout.Packed(qOffsets, kOffsets);
            float[] Attend(IComputeBackend b)
            {
                using IDeviceBuffer qb = ParityContext.Input(b, q, heads * dim);
                using IDeviceBuffer kb = ParityContext.Input(b, k, kvHeads * dim);
                using IDeviceBuffer vb = ParityContext.Input(b, v, kvHeads * dim);
                using IDeviceBuffer o = ParityContext.Output(b, qRows, heads * dim);
                b.Attention(qb, kb, vb, layout, heads, kvHeads, dim, o);
                return ParityContext.Download(b, o);
            }

            c.Compare(label, Attend(c.Cpu), Attend(c.Device), Tolerance.Bf16);
        }

        CachedKeys(c, causalBlock: 0);
        CachedKeys(c, causalBlock: 32);
    }

    /// <summary>
    /// A dual-cache step's shape: 32 block queries over 300 keys that WriteKvCache stored at layer 2 of a K/V cache,
    /// batched with a sequence that reads its 50 keys from the packed buffers. With <paramref name="causalBlock"/>
    /// attention is block-causal: the cached queries sit at canvas positions 100..131 (across a block boundary), the
    /// packed ones at 30..33.
    /// </summary>
    private static void CachedKeys(ParityContext c, int causalBlock)
    {
        const int heads = 8, kvHeads = 2, dim = 128, layer = 2, packedKeys = 50, cachedKeys = 300;
        int[] qOffsets = [0, 4, 36];
        float[] q = c.Data.Uniform(qOffsets[^1] * heads * dim, 2f);
        float[] k = c.Data.Uniform((packedKeys + cachedKeys) * kvHeads * dim, 2f);
        float[] v = c.Data.Uniform((packedKeys + cachedKeys) * kvHeads * dim);
        float[] Attend(IComputeBackend b)
        {
            using IDeviceBuffer qb = ParityContext.Input(b, q, heads * dim);
            using IDeviceBuffer kb = ParityContext.Input(b, k, kvHeads * dim);
            using IDeviceBuffer vb = ParityContext.Input(b, v, kvHeads * dim);
            using IDeviceBuffer o = ParityContext.Output(b, qOffsets[^1], heads * dim);
            using IKvCache cache = b.AllocateKvCache(layer + 1, cachedKeys, kvHeads * dim);
            b.WriteKvCache(kb, vb, layer, [new KvCacheWrite(cache, packedKeys, 0, cachedKeys)]);
            var layout = new AttentionLayout(qOffsets, [new AttentionKeys(0, packedKeys, null, 30), new AttentionKeys(0, cachedKeys, cache, 100)])
            {
                CacheLayer = layer,
                CausalBlockLength = causalBlock,
            };
            b.Attention(qb, kb, vb, layout, heads, kvHeads, dim, o);
            return ParityContext.Download(b, o);
        }

        string mask = causalBlock > 0 ? $", block-causal {causalBlock}" : string.Empty;
        c.Compare($"block queries 32 over 300 keys from a K/V cache (layer 2), beside 4 over 50 packed, GQA 8:2 d128{mask}", Attend(c.Cpu), Attend(c.Device), Tolerance.Bf16);
    }

    private static int[] Offsets(int[] lengths)
    {
        int[] offsets = new int[lengths.Length + 1];
        for (int i = 0; i < lengths.Length; i++)
        {
            offsets[i + 1] = offsets[i] + lengths[i];
        }

        return offsets;
    }
}
