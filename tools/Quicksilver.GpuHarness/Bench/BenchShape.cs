using Quicksilver.Engine.Models;

namespace Quicksilver.GpuHarness.Bench;

/// <summary>The transformer and canvas the benchmark runs (defaults: LLaDA-8B, DIFFUSION.md §1.2).</summary>
internal sealed record BenchShape(int Layers, int Hidden, int Heads, int KvHeads, int Intermediate, int Vocab, int Prompt, int Generation, double RopeTheta)
{
    /// <summary>
    /// LLaDA-8B (32 layers, d 4096, 32 heads of 128, ff 12288, vocab 126464) with a prompt of 512 and 256 masks, each
    /// changed by its option: <c>--layers</c>, <c>--hidden</c>, <c>--heads</c> (default: heads of 128),
    /// <c>--intermediate</c> (default 3 × hidden), <c>--prompt</c>, <c>--gen</c>. Smaller models are for the CPU
    /// emulator of the CUDA libraries. The vocabulary stays LLaDA's: its mask id is fixed.
    /// </summary>
    public static BenchShape FromArguments(CommandLine args)
    {
        int hidden = args.Int("hidden", 4096), heads = args.Int("heads", Math.Max(1, hidden / 128));
        return new(args.Int("layers", 32), hidden, heads, heads, args.Int("intermediate", 3 * hidden), 126464, args.Int("prompt", 512), args.Int("gen", 256), 500000.0);
    }

    public int HeadDim => Hidden / Heads;

    public int Canvas => Prompt + Generation;

    /// <summary>The engine's configuration of this shape (LLaDA's tensor names, no end token: answers run to length).</summary>
    public ModelConfig ToModelConfig() => new()
    {
        Architecture = ModelArchitecture.LLaDA,
        HiddenSize = Hidden,
        LayerCount = Layers,
        HeadCount = Heads,
        KeyValueHeadCount = KvHeads,
        IntermediateSize = Intermediate,
        VocabSize = Vocab,
        RopeTheta = RopeTheta,
        MaxSequenceLength = Math.Max(4096, Canvas),
        MaskTokenId = MaskTokenId,
        EosTokenIds = [],
    };

    /// <summary>LLaDA's mask id (written into the generated part of the canvas).</summary>
    public const int MaskTokenId = 126336;

    /// <summary>Parameters: per layer q, k, v, o, gate, up, down and two norms; embedding, final norm and head.</summary>
    public double Parameters
    {
        get
        {
            double kv = (double)KvHeads * HeadDim;
            double perLayer = (2.0 * Hidden * Hidden) + (2.0 * Hidden * kv) + (3.0 * Hidden * Intermediate) + (2.0 * Hidden);
            return (Layers * perLayer) + (2.0 * Vocab * Hidden) + Hidden;
        }
    }

    /// <summary>GEMM FLOPs of the transformer body for <paramref name="tokens"/> rows.</summary>
    public double BodyGemmFlops(long tokens)
    {
        double kv = (double)KvHeads * HeadDim;
        return 2.0 * tokens * Layers * ((2.0 * Hidden * Hidden) + (2.0 * Hidden * kv) + (3.0 * Hidden * Intermediate));
    }

    /// <summary>Attention FLOPs (QKᵀ and PV, no causal mask) for <paramref name="sequences"/> canvases.</summary>
    public double AttentionFlops(int sequences) => 4.0 * sequences * Layers * (double)Canvas * Canvas * Hidden;

    /// <summary>LM-head FLOPs for the scored (masked) rows.</summary>
    public double LmHeadFlops(long scoredRows) => 2.0 * scoredRows * Hidden * (double)Vocab;
}
