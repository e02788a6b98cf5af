using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Models;

namespace Quicksilver.ModelBuilder;

/// <summary>
/// The hyper-parameters the builder writes into <c>config.json</c>: the options' sizes, the tiny tokenizer's ids and
/// each family's own settings (<see cref="BuiltFamily"/>; the switches of the Qwen-named families from
/// <see cref="QwenFamily"/>).
/// </summary>
internal static class BuiltModelConfig
{
    public static ModelConfig From(BuilderOptions options, SpecialTokenIds ids)
    {
        BuiltFamily family = BuiltFamily.Of(options.Architecture);
        QwenFamily? qwen = family.Qwen;
        var config = new ModelConfig
        {
            Architecture = options.Architecture,
            HiddenSize = options.DModel,
            LayerCount = options.Layers,
            HeadCount = options.Heads,
            KeyValueHeadCount = options.KvHeads,
            IntermediateSize = options.MlpHidden,
            VocabSize = options.VocabSize,
            RopeTheta = family.RopeTheta,
            RmsNormEps = family.RmsNormEps,
            MaxSequenceLength = options.MaxSequenceLength,
            QkvBias = qwen?.QkvBias ?? false,
            QueryKeyNorm = qwen?.QueryKeyNorm ?? false,
            TieWordEmbeddings = family.TieWordEmbeddings,
            ShiftLogits = qwen?.ShiftLogits ?? false,
            AttentionBlockLength = family.AttentionBlockLength,
            MaskTokenId = ids.Mask,
            EosTokenIds = [ids.EndOfText],
        };
        return family.Qwen3Fields ? config with { HeadDim = options.HeadDim } : config;
    }
}
