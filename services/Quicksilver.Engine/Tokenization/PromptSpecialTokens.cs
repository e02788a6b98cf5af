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
    // Classes that (in transformers 4) build their post-processor from add_bos_token and add_eos_token, with these
    // defaults; a tokenizer.json saved from them already holds the result.
    private static readonly Dictionary<string, (bool Bos, bool Eos)> FlagDefaults = new(StringComparer.Ordinal)
    {
        ["LlamaTokenizer"] = (true, false),
        ["LlamaTokenizerFast"] = (true, false),
        ["CodeLlamaTokenizer"] = (true, false),
        ["CodeLlamaTokenizerFast"] = (true, false),
        ["GemmaTokenizer"] = (true, false),
        ["GemmaTokenizerFast"] = (true, false),
        ["CohereTokenizerFast"] = (true, false),
        ["GPTNeoXTokenizerFast"] = (false, false),
    };

    /// <summary>No special tokens: the text's ids alone.</summary>
    public static PromptSpecialTokens None { get; } = new([], []);

    /// <summary><paramref name="tokens"/> with these special tokens around them.</summary>
    public IReadOnlyList<int> Around(IReadOnlyList<int> tokens) => [.. Prefix, .. tokens, .. Suffix];

    /// <summary>
    /// What the tokenizer adds: <paramref name="postProcessor"/> (<c>tokenizer.json</c>'s <c>post_processor</c>) when
    /// the file has one, as transformers 5 reads it and as transformers 4 saves it. A file without one gets, for the
    /// classes that build it from <c>add_bos_token</c> and <c>add_eos_token</c>, what those flags (or the class's
    /// defaults) ask for; else nothing. Throws <see cref="CheckpointException"/> naming the field when a flag set to
    /// true asks for a token the configuration does not name or the vocabulary does not hold (a default asking for
    /// one is dropped instead).
    /// </summary>
    public static PromptSpecialTokens Resolve(PromptSpecialTokens? postProcessor, TokenizerConfig config, ITextTokenizer tokenizer, string configPath)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (postProcessor is not null)
        {
            return postProcessor;
        }

        if (config.TokenizerClass is not { } tokenizerClass || !FlagDefaults.TryGetValue(tokenizerClass, out var defaults))
        {
            return None;
        }

        IReadOnlyList<int> prefix = Flagged(config.AddBosToken, defaults.Bos, config.BosToken, "bos_token", "add_bos_token", tokenizer, configPath);
        IReadOnlyList<int> suffix = Flagged(config.AddEosToken, defaults.Eos, config.EosToken, "eos_token", "add_eos_token", tokenizer, configPath);
        return new PromptSpecialTokens(prefix, suffix);
    }

    private static IReadOnlyList<int> Flagged(bool? flag, bool byDefault, string? token, string tokenField, string flagField, ITextTokenizer tokenizer, string configPath)
    {
        if (!(flag ?? byDefault))
        {
            return [];
        }

        int? id = token is null ? null : tokenizer.TokenToId(token);
        if (id is { } found)
        {
            return [found];
        }

        return flag is null
            ? []
            : throw new CheckpointException(configPath, tokenField, token is null
                ? $"is missing, but {flagField} asks for it"
                : $"'{token}' is not in the tokenizer's vocabulary, but {flagField} asks for it");
    }
}
