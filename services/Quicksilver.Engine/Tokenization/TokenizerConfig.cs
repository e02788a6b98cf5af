namespace Quicksilver.Engine.Tokenization;

/// <summary>
/// The fields of a Hugging Face <c>tokenizer_config.json</c> the engine uses: the special tokens by content
/// (resolve them to ids with <see cref="ITextTokenizer.TokenToId"/>), the chat template, the length limit and what
/// decides the special tokens around an encoded text.
/// Read it with <see cref="TokenizerConfigReader"/>.
/// </summary>
public sealed record TokenizerConfig
{
    /// <summary>Beginning-of-sequence token (<c>bos_token</c>), or null when the file names none.</summary>
    public string? BosToken { get; init; }

    /// <summary>End-of-sequence token (<c>eos_token</c>), or null when the file names none.</summary>
    public string? EosToken { get; init; }

    /// <summary>Padding token (<c>pad_token</c>), or null when the file names none.</summary>
    public string? PadToken { get; init; }

    /// <summary>Mask token (<c>mask_token</c>), or null when the file names none.</summary>
    public string? MaskToken { get; init; }

    /// <summary>
    /// The Jinja chat template (<c>chat_template</c>; from the list-of-named-templates form, the one named
    /// <c>default</c>; from a <c>chat_template.jinja</c> file beside the config, which wins over the field), or null.
    /// </summary>
    public string? ChatTemplate { get; init; }

    /// <summary>The file <see cref="ChatTemplate"/> was read from (the config, or <c>chat_template.jinja</c>), for errors; null when not read from a file.</summary>
    public string? ChatTemplatePath { get; init; }

    /// <summary>Longest input the tokenizer is meant for (<c>model_max_length</c>); null when absent or set to Hugging Face's "no limit" sentinel.</summary>
    public long? ModelMaxLength { get; init; }

    /// <summary>Whether the tokenizer adds BOS when encoding (<c>add_bos_token</c>); null when the file does not say.</summary>
    public bool? AddBosToken { get; init; }

    /// <summary>Whether the tokenizer adds EOS when encoding (<c>add_eos_token</c>); null when the file does not say.</summary>
    public bool? AddEosToken { get; init; }

    /// <summary>The Hugging Face tokenizer class (<c>tokenizer_class</c>), or null; see <see cref="PromptSpecialTokens.Resolve"/>.</summary>
    public string? TokenizerClass { get; init; }
}
