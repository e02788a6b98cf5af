namespace Quicksilver.Engine.Models;

/// <summary>
/// How a family names its tensors in the checkpoint. The two families share one forward pass; they differ in names,
/// in the qkv bias and in the logit shift (<see cref="ModelConfig"/>), which is all Dream adds to LLaDA.
/// </summary>
public abstract class TensorNaming
{
    /// <summary>The token embedding table.</summary>
    public abstract string Embedding { get; }

    /// <summary>The final RMSNorm weight.</summary>
    public abstract string FinalNorm { get; }

    /// <summary>The untied output head.</summary>
    public abstract string Head { get; }

    /// <summary>The checkpoint name of a block parameter.</summary>
    public abstract string Layer(int layer, LayerTensor tensor);

    /// <summary>The naming of an architecture.</summary>
    public static TensorNaming For(ModelArchitecture architecture) => architecture switch
    {
        ModelArchitecture.LLaDA => LLaDATensorNaming.Instance,
        ModelArchitecture.Dream => DreamTensorNaming.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, null),
    };
}
