namespace Quicksilver.Server;

/// <summary>
/// Request limits of the OpenAI endpoints, bound from <c>Quicksilver:Limits</c>
/// (e.g. <c>Quicksilver__Limits__MaxTokens=512</c>). Validated at start.
/// </summary>
public sealed record LimitsOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Quicksilver:Limits";

    /// <summary>
    /// Most tokens a prompt may have. Default: unset, which means the model's context length; a prompt must in any
    /// case leave room for at least one generated token. Must be at least 1 when set.
    /// </summary>
    public int? MaxPromptTokens { get; init; }

    /// <summary>
    /// Largest <c>max_tokens</c> a request may ask for. Default: 1024. The model's context length caps it further:
    /// prompt + <c>max_tokens</c> must fit in the context. Must be at least 1.
    /// </summary>
    public int MaxTokens { get; init; } = 1024;

    /// <summary>
    /// Largest request body in bytes. Default: 1 MiB (1048576). Also sets Kestrel's <c>MaxRequestBodySize</c>;
    /// a larger body is answered with 413 in the OpenAI error shape. Must be at least 1 KiB (1024).
    /// </summary>
    public long MaxRequestBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Largest <c>n</c> (answers per request; each is its own sequence in the engine's batch). Default: 8. Must be at
    /// least 1.
    /// </summary>
    public int MaxChoices { get; init; } = 8;

    /// <summary>
    /// Most entries a request's <c>logit_bias</c> may hold. Default: 300 (OpenAI's limit). Must be at least 1.
    /// </summary>
    public int MaxLogitBiasEntries { get; init; } = 300;

    /// <summary>
    /// Most requests tokenising (or detokenising) at once, as TGI's validation workers bound it: every endpoint that
    /// tokenises a prompt waits for one of these slots, so large bodies cannot take every core from the step loop and
    /// the probes. Default: unset, half the cores (at least 1). Must be at least 1 when set.
    /// </summary>
    public int? TokenizerWorkers { get; init; }
}
