namespace Quicksilver.Engine.Models;

/// <summary>The bidirectional transformer families the engine serves.</summary>
public enum ModelArchitecture
{
    /// <summary>LLaDA (LLaMA-style blocks, <c>model.transformer.*</c> tensor names, unshifted logits).</summary>
    LLaDA,

    /// <summary>Dream (Qwen2-style blocks, <c>model.layers.*</c>, GQA, qkv bias, logits shifted by one).</summary>
    Dream,
}
