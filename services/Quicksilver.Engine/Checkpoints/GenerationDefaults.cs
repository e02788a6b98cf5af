using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Checkpoints;

/// <summary>
/// The sampling defaults a model folder ships in <c>generation_config.json</c>. Every field is null when the file
/// does not set it; callers fall back to their own defaults.
/// </summary>
public sealed record GenerationDefaults
{
    /// <summary>Defaults with nothing set (the model folder has no <c>generation_config.json</c>).</summary>
    public static GenerationDefaults None { get; } = new();

    /// <summary>End-of-sequence ids (<c>eos_token_id</c>, one id or a list).</summary>
    public IReadOnlyList<int>? EosTokenIds { get; init; }

    /// <summary>Denoising steps (<c>steps</c>).</summary>
    public int? Steps { get; init; }

    /// <summary>Semi-autoregressive block length (<c>block_length</c>).</summary>
    public int? BlockLength { get; init; }

    /// <summary>Sampling temperature (<c>temperature</c>); 0 means greedy.</summary>
    public double? Temperature { get; init; }

    /// <summary>Answer length (<c>max_new_tokens</c>; <c>max_length</c>, which counts the prompt, is ignored).</summary>
    public int? MaxNewTokens { get; init; }

    /// <summary>Dream's remasking algorithm (<c>alg</c>: <c>origin</c>, <c>maskgit_plus</c>, <c>topk_margin</c>, <c>entropy</c>; <see cref="DreamAlgorithmNames"/>).</summary>
    public RemaskingStrategy? Remasking { get; init; }

    /// <summary>Temperature of Dream's position sampling (<c>alg_temp</c>); null or 0 picks the top-k confident positions.</summary>
    public double? AlgorithmTemperature { get; init; }

    /// <summary>Nucleus sampling mass (<c>top_p</c>), in (0, 1].</summary>
    public double? TopP { get; init; }

    /// <summary>Top-k sampling cut-off (<c>top_k</c>); 0 disables it (the file may say -1 for that, as vLLM does).</summary>
    public int? TopK { get; init; }

    /// <summary>Dream's final timestep (<c>eps</c>): its schedule runs from t = 1 down to eps.</summary>
    public double? Eps { get; init; }

    /// <summary>The final timestep every plan's timestep schedule uses: <see cref="Eps"/>, else <see cref="DiffusionPlan.DefaultEps"/>.</summary>
    public double EffectiveEps => Eps ?? DiffusionPlan.DefaultEps;

    /// <summary>
    /// Fast-dLLM's threshold commit rule (<c>threshold</c>, a Quicksilver key), in (0, 1]; exclusive with
    /// <see cref="Factor"/>. Neither: the step schedule.
    /// </summary>
    public double? Threshold { get; init; }

    /// <summary>Fast-dLLM's factor commit rule (<c>factor</c>, a Quicksilver key), above 0; exclusive with <see cref="Threshold"/>.</summary>
    public double? Factor { get; init; }
}
