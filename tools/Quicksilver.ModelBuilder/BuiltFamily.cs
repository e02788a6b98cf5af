using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Models;

namespace Quicksilver.ModelBuilder;

/// <summary>
/// A family the builder writes: its <c>--architecture</c> name and the settings of its published checkpoints that the
/// tiny model copies (RoPE θ, RMSNorm ε, tied head, block-causal attention block).
/// </summary>
internal sealed record BuiltFamily(
    ModelArchitecture Architecture,
    string OptionName,
    string DisplayName,
    double RopeTheta,
    double RmsNormEps,
    bool TieWordEmbeddings,
    int AttentionBlockLength)
{
    /// <summary>LLaDA-8B's settings.</summary>
    public static BuiltFamily LLaDA { get; } = new(ModelArchitecture.LLaDA, "llada", "LLaDA", 500000.0, 1e-5, TieWordEmbeddings: false, AttentionBlockLength: 0);

    /// <summary>All families, <see cref="LLaDA"/> first (the default).</summary>
    public static IReadOnlyList<BuiltFamily> All { get; } =
    [
        LLaDA,
        new(ModelArchitecture.Dream, "dream", "Dream", 1e6, 1e-6, TieWordEmbeddings: false, AttentionBlockLength: 0),

        // SDAR-1.7B and -4B tie their head to the embedding (as the Qwen3 models they come from do); blocks of 4.
        new(ModelArchitecture.Sdar, "sdar", "SDAR", 1e6, 1e-6, TieWordEmbeddings: true, AttentionBlockLength: 4),
        new(ModelArchitecture.FastDllmV2, "fast-dllm-v2", "Fast-dLLM v2", 1e6, 1e-6, TieWordEmbeddings: false, AttentionBlockLength: 32),
    ];

    /// <summary>The Qwen-named format of the family, or null for LLaDA.</summary>
    public QwenFamily? Qwen => QwenFamily.Of(Architecture);

    /// <summary>Whether its config is Qwen3's, which names <c>attention_bias</c> and <c>head_dim</c> (SDAR).</summary>
    public bool Qwen3Fields => Qwen is { QkvBias: null };

    public static BuiltFamily Of(ModelArchitecture architecture) => All.First(f => f.Architecture == architecture);

    public static BuiltFamily Parse(string optionName) => All.FirstOrDefault(f => f.OptionName == optionName)
        ?? throw new ArgumentException($"--architecture needs one of {string.Join(", ", All.Select(f => f.OptionName))}, not '{optionName}'.");
}
