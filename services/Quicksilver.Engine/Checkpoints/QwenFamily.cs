using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Checkpoints;

/// <summary>
/// What sets apart the families whose <c>config.json</c> uses Qwen2/Qwen3 field names (Dream, SDAR, Fast-dLLM v2):
/// how they are recognised, which switches their modelling code hard-codes, and the defaults of its config class for
/// fields a checkpoint may leave out.
/// </summary>
/// <param name="Architecture">The family.</param>
/// <param name="ArchitectureName">Its entry in <c>architectures</c>.</param>
/// <param name="ModelType">Its <c>model_type</c>.</param>
/// <param name="QkvBias">Whether q/k/v carry biases whatever the config says (Qwen2's modelling); null: read <c>attention_bias</c>.</param>
/// <param name="QueryKeyNorm">Per-head q/k RMSNorm before RoPE (Qwen3).</param>
/// <param name="ReadsHeadDim">Whether the modelling code takes the head width from <c>head_dim</c> (else hidden / heads).</param>
/// <param name="ShiftLogits">Whether position i is scored from row i − 1.</param>
/// <param name="TiedEmbeddingsSupported">Whether <c>tie_word_embeddings: true</c> is honoured (Dream's code has no tied head).</param>
/// <param name="BlockSizeField">The field holding the block-causal attention block; null for bidirectional families.</param>
/// <param name="DefaultBlockSize">The block when that field is absent.</param>
/// <param name="DefaultRopeTheta">RoPE θ when <c>rope_theta</c> is absent.</param>
/// <param name="DefaultMaxSequence">Longest sequence when <c>max_position_embeddings</c> is absent.</param>
/// <param name="DefaultMaskToken">The mask id when <c>mask_token_id</c> is absent.</param>
/// <param name="DefaultEosToken">The end id when <c>eos_token_id</c> is absent.</param>
public sealed record QwenFamily(
    ModelArchitecture Architecture,
    string ArchitectureName,
    string ModelType,
    bool? QkvBias,
    bool QueryKeyNorm,
    bool ReadsHeadDim,
    bool ShiftLogits,
    bool TiedEmbeddingsSupported,
    string? BlockSizeField,
    int DefaultBlockSize,
    double DefaultRopeTheta,
    int DefaultMaxSequence,
    int DefaultMaskToken,
    int DefaultEosToken)
{
    /// <summary>Dream-v0 (<c>modeling_dream.py</c>): Qwen2 blocks, bidirectional, shifted logits.</summary>
    public static QwenFamily Dream { get; } = new(
        ModelArchitecture.Dream, "DreamModel", "Dream", QkvBias: true, QueryKeyNorm: false, ReadsHeadDim: false, ShiftLogits: true,
        TiedEmbeddingsSupported: false, BlockSizeField: null, DefaultBlockSize: 0, DefaultRopeTheta: 1e6, DefaultMaxSequence: 2048,
        DefaultMaskToken: 151666, DefaultEosToken: 151643);

    /// <summary>
    /// SDAR (JetAstra/SDAR <c>modeling_sdar.py</c>, a Qwen3 copy): q/k norms, <c>attention_bias</c>, unshifted logits
    /// (its <c>generate.py</c> samples a block's positions from their own rows), blocks of <c>block_size</c> (4 by
    /// default in its generate.py and in SGLang's table), mask <c>&lt;|MASK|&gt;</c> 151669.
    /// </summary>
    public static QwenFamily Sdar { get; } = new(
        ModelArchitecture.Sdar, "SDARForCausalLM", "sdar", QkvBias: null, QueryKeyNorm: true, ReadsHeadDim: true, ShiftLogits: false,
        TiedEmbeddingsSupported: true, BlockSizeField: "block_size", DefaultBlockSize: 4, DefaultRopeTheta: 10000.0, DefaultMaxSequence: 32768,
        DefaultMaskToken: 151669, DefaultEosToken: 151645);

    /// <summary>
    /// Fast-dLLM v2 (<c>Fast_dLLM_QwenForCausalLM</c>, a Qwen2.5 copy): q/k/v biases hard-coded, logits shifted
    /// (<c>cat([logits[:, :1], logits[:, :-1]])</c> in its generate), blocks of <c>bd_size</c> (32), mask 151665 and
    /// stop token 151645 as its <c>generate()</c> defaults them.
    /// </summary>
    public static QwenFamily FastDllmV2 { get; } = new(
        ModelArchitecture.FastDllmV2, "Fast_dLLM_QwenForCausalLM", "Fast_dLLM_Qwen", QkvBias: true, QueryKeyNorm: false, ReadsHeadDim: true, ShiftLogits: true,
        TiedEmbeddingsSupported: true, BlockSizeField: "bd_size", DefaultBlockSize: 32, DefaultRopeTheta: 10000.0, DefaultMaxSequence: 32768,
        DefaultMaskToken: 151665, DefaultEosToken: 151645);

    /// <summary>Every family with Qwen field names.</summary>
    public static IReadOnlyList<QwenFamily> All { get; } = [Dream, Sdar, FastDllmV2];

    /// <summary>The family of <paramref name="architecture"/>; null for LLaDA, whose fields are OLMo's.</summary>
    public static QwenFamily? Of(ModelArchitecture architecture) => All.FirstOrDefault(f => f.Architecture == architecture);
}
