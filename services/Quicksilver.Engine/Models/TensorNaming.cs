namespace Quicksilver.Engine.Models;

/// <summary>
/// How a family names its tensors in the checkpoint. The families share one forward pass; they differ in names and in
/// the switches of <see cref="ModelConfig"/> (qkv bias, q/k norms, tied head, logit shift, block-causal attention).
/// </summary>
public abstract class TensorNaming
{
    /// <summary>The token embedding table.</summary>
    public abstract string Embedding { get; }

    /// <summary>The final RMSNorm weight.</summary>
    public abstract string FinalNorm { get; }

    /// <summary>The output head (absent from checkpoints with tied embeddings).</summary>
    public abstract string Head { get; }

    /// <summary>The checkpoint name of a block parameter.</summary>
    public abstract string Layer(int layer, LayerTensor tensor);

    /// <summary>The naming of an architecture.</summary>
    public static TensorNaming For(ModelArchitecture architecture) => architecture switch
    {
        ModelArchitecture.LLaDA => LLaDATensorNaming.Instance,
        ModelArchitecture.Dream or ModelArchitecture.Sdar or ModelArchitecture.FastDllmV2 => QwenTensorNaming.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, null),
    };
}
