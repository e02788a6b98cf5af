namespace Quicksilver.Engine.Models;

/// <summary>LLaDA's names, from the module tree of <c>modeling_llada.py</c> (<c>model.transformer.*</c>).</summary>
internal sealed class LLaDATensorNaming : TensorNaming
{
    public static readonly LLaDATensorNaming Instance = new();

    public override string Embedding => "model.transformer.wte.weight";

    public override string FinalNorm => "model.transformer.ln_f.weight";

    public override string Head => "model.transformer.ff_out.weight";

    public override string Layer(int layer, LayerTensor tensor) => $"model.transformer.blocks.{layer}." + tensor switch
    {
        LayerTensor.AttentionNorm => "attn_norm.weight",
        LayerTensor.Query => "q_proj.weight",
        LayerTensor.Key => "k_proj.weight",
        LayerTensor.Value => "v_proj.weight",
        LayerTensor.QueryBias => "q_proj.bias",
        LayerTensor.KeyBias => "k_proj.bias",
        LayerTensor.ValueBias => "v_proj.bias",
        LayerTensor.AttentionOutput => "attn_out.weight",
        LayerTensor.MlpNorm => "ff_norm.weight",
        LayerTensor.Gate => "ff_proj.weight",
        LayerTensor.Up => "up_proj.weight",
        LayerTensor.Down => "ff_out.weight",
        _ => throw new ArgumentOutOfRangeException(nameof(tensor), tensor, null),
    };
}
