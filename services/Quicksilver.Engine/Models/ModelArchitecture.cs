namespace Quicksilver.Engine.Models;

/// <summary>The diffusion transformer families the engine serves.</summary>
public enum ModelArchitecture
{
    /// <summary>LLaDA (LLaMA-style blocks, <c>model.transformer.*</c> tensor names, unshifted logits).</summary>
    LLaDA,

    /// <summary>Dream (Qwen2-style blocks, <c>model.layers.*</c>, GQA, qkv bias, logits shifted by one).</summary>
    Dream,

    /// <summary>
    /// SDAR (Qwen3-style blocks, <c>model.layers.*</c>, GQA, per-head q/k RMSNorm, unshifted logits, block-causal
    /// attention over <c>block_size</c>).
    /// </summary>
    Sdar,

    /// <summary>
    /// Fast-dLLM v2 (Qwen2.5-style blocks, <c>model.layers.*</c>, GQA, qkv bias, logits shifted by one, block-causal
    /// attention over <c>bd_size</c>).
    /// </summary>
    FastDllmV2,
}
