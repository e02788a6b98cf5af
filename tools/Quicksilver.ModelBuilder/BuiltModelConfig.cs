using Quicksilver.Engine.Models;

namespace Quicksilver.ModelBuilder;

/// <summary>
/// The hyper-parameters the builder writes into <c>config.json</c>: the options' sizes, the tiny tokenizer's ids and
/// each family's own settings (LLaDA: RoPE θ 500000, RMSNorm ε 1e-5, no bias; Dream: Qwen2's θ 10⁶ and ε 1e-6, q/k/v
/// biases, logits shifted by one).
/// </summary>
internal static class BuiltModelConfig
{
    public static ModelConfig From(BuilderOptions options, SpecialTokenIds ids)
    {
        bool dream = options.Architecture == ModelArchitecture.Dream;
        return new ModelConfig
        {
            Architecture = options.Architecture,
            HiddenSize = options.DModel,
            LayerCount = options.Layers,
            HeadCount = options.Heads,
            KeyValueHeadCount = options.KvHeads,
            IntermediateSize = options.MlpHidden,
            VocabSize = options.VocabSize,
            RopeTheta = dream ? 1e6 : 500000.0,
            RmsNormEps = dream ? 1e-6 : 1e-5,
            MaxSequenceLength = options.MaxSequenceLength,
            QkvBias = dream,
            ShiftLogits = dream,
            MaskTokenId = ids.Mask,
            EosTokenIds = [ids.EndOfText],
        };
    }
}
