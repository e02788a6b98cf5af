namespace Quicksilver.Engine.Models;

/// <summary>
/// The Qwen2/Qwen3 names (<c>model.layers.*</c>, <c>lm_head</c>) that Dream, SDAR and Fast-dLLM v2 keep from the
/// models they were adapted from.
/// </summary>
internal sealed class QwenTensorNaming : TensorNaming
{
    public static readonly QwenTensorNaming Instance = new();

    public override string Embedding => "model.embed_tokens.weight";

    public override string FinalNorm => "model.norm.weight";

    public override string Head => "lm_head.weight";

    public override string Layer(int layer, LayerTensor tensor) => $"model.layers.{layer}." + tensor switch
    {
        LayerTensor.AttentionNorm => "input_layernorm.weight",
        LayerTensor.Query => "self_attn.q_proj.weight",
        LayerTensor.Key => "self_attn.k_proj.weight",
        LayerTensor.Value => "self_attn.v_proj.weight",
        LayerTensor.QueryBias => "self_attn.q_proj.bias",
        LayerTensor.KeyBias => "self_attn.k_proj.bias",
        LayerTensor.ValueBias => "self_attn.v_proj.bias",
        LayerTensor.QueryNorm => "self_attn.q_norm.weight",
        LayerTensor.KeyNorm => "self_attn.k_norm.weight",
        LayerTensor.AttentionOutput => "self_attn.o_proj.weight",
        LayerTensor.MlpNorm => "post_attention_layernorm.weight",
        LayerTensor.Gate => "mlp.gate_proj.weight",
        LayerTensor.Up => "mlp.up_proj.weight",
        LayerTensor.Down => "mlp.down_proj.weight",
        _ => throw new ArgumentOutOfRangeException(nameof(tensor), tensor, null),
    };
}
