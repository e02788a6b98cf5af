using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Tokenization;

/// <summary>
/// The special tokens a Hugging Face tokenizer puts around a text it encodes with special tokens, as
/// <c>tokenizer(text)</c> does and vLLM does to a completions prompt (LLaMA-3's <c>&lt;|begin_of_text|&gt;</c>, say).
/// A chat prompt gets none: its template writes them.
/// </summary>
/// <param name="Prefix">Ids before the text.</param>
/// <param name="Suffix">Ids after the text.</param>
public sealed record PromptSpecialTokens(IReadOnlyList<int> Prefix, IReadOnlyList<int> Suffix)
{
    // These classes rebuild their post-processor from add_bos_token and add_eos_token when they load.
    private static readonly HashSet<string> ClassesWithBosEosFlags = new(StringComparer.Ordinal)
    {
        "LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer", "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast",
    };

    /// <summary>No special tokens: the text's ids alone.</summary>
    public static PromptSpecialTokens None { get; } = new([], []);

    /// <summary>
    /// What the tokenizer adds: <paramref name="postProcessor"/> (<c>tokenizer.json</c>'s <c>post_processor</c>),
    /// unless <paramref name="config"/> names a class that rebuilds it from <c>add_bos_token</c> (default true) and
    /// <c>add_eos_token</c> (default false). Throws <see cref="CheckpointException"/> naming the field when a flag asks
    /// for a token the configuration does not name or the vocabulary does not hold.
    /// </summary>
    public static PromptSpecialTokens Resolve(PromptSpecialTokens postProcessor, TokenizerConfig config, ITextTokenizer tokenizer, string configPath)
    {
        ArgumentNullException.ThrowIfNull(postProcessor);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (config.TokenizerClass is not { } tokenizerClass || !ClassesWithBosEosFlags.Contains(tokenizerClass))
        {
            return postProcessor;
        }

        IReadOnlyList<int> prefix = config.AddBosToken ?? true ? [IdOf(config.BosToken, "bos_token", "add_bos_token", tokenizer, configPath)] : [];
        IReadOnlyList<int> suffix = config.AddEosToken ?? false ? [IdOf(config.EosToken, "eos_token", "add_eos_token", tokenizer, configPath)] : [];
        return new PromptSpecialTokens(prefix, suffix);
    }

    /// <summary><paramref name="text"/>'s ids with the special tokens around them.</summary>
    public IReadOnlyList<int> Around(IReadOnlyList<int> text) => Prefix.Count + Suffix.Count == 0 ? text : [.. Prefix, .. text, .. Suffix];

    private static int IdOf(string? token, string tokenField, string flag, ITextTokenizer tokenizer, string configPath) =>
        token is null
            ? throw new CheckpointException(configPath, tokenField, $"is missing, but {flag} asks for it")
            : tokenizer.TokenToId(token) ?? throw new CheckpointException(configPath, tokenField, $"'{token}' is not in the tokenizer's vocabulary, but {flag} asks for it");
}
