namespace Quicksilver.Engine.Checkpoints;

/// <summary>
/// How one model family spells the <c>config.json</c> fields that errors must name (and that the model builder and
/// tests write).
/// </summary>
/// <param name="Hidden">Residual width.</param>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="Heads">Query heads.</param>
/// <param name="KeyValueHeads">Key/value heads.</param>
/// <param name="Intermediate">MLP hidden width.</param>
/// <param name="Vocab">Vocabulary size.</param>
/// <param name="MaxSequence">Longest sequence.</param>
/// <param name="RopeTheta">RoPE base.</param>
/// <param name="RmsNormEps">RMSNorm epsilon.</param>
/// <param name="MaskToken">The mask id.</param>
/// <param name="EosToken">The end-of-sequence id(s).</param>
public sealed record ConfigFieldNames(
    string Hidden,
    string Layers,
    string Heads,
    string KeyValueHeads,
    string Intermediate,
    string Vocab,
    string MaxSequence,
    string RopeTheta,
    string RmsNormEps,
    string MaskToken,
    string EosToken)
{
    /// <summary>LLaDA's OLMo-derived names.</summary>
    public static ConfigFieldNames LLaDA { get; } = new(
        "d_model", "n_layers", "n_heads", "n_kv_heads", "mlp_hidden_size", "vocab_size",
        "max_sequence_length", "rope_theta", "rms_norm_eps", "mask_token_id", "eos_token_id");

    /// <summary>The Qwen2/Qwen3 names of Dream, SDAR and Fast-dLLM v2.</summary>
    public static ConfigFieldNames Dream { get; } = new(
        "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "intermediate_size", "vocab_size",
        "max_position_embeddings", "rope_theta", "rms_norm_eps", "mask_token_id", "eos_token_id");
}
