using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Checkpoints;

/// <summary>The values of Dream's <c>alg</c> (its <c>generation_config.json</c> and <c>diffusion_generate</c>) and the remasking each names.</summary>
public static class DreamAlgorithmNames
{
    /// <summary>Every known name and its strategy.</summary>
    public static IReadOnlyDictionary<string, RemaskingStrategy> All { get; } = new Dictionary<string, RemaskingStrategy>(StringComparer.Ordinal)
    {
        ["origin"] = RemaskingStrategy.Origin,
        ["maskgit_plus"] = RemaskingStrategy.LowConfidence,
        ["topk_margin"] = RemaskingStrategy.Margin,
        ["entropy"] = RemaskingStrategy.Entropy,
    };
}
