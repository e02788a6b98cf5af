namespace Quicksilver.ModelBuilder;

/// <summary>The special tokens of the tiny model, in id order after the base vocabulary.</summary>
internal static class TinyModelTokens
{
    public const string EndOfText = "<|endoftext|>";
    public const string StartOfText = "<|startoftext|>";
    public const string Mask = "<|mdm_mask|>";
    public const string StartHeader = "<|start_header_id|>";
    public const string EndHeader = "<|end_header_id|>";
    public const string EndOfTurn = "<|eot_id|>";

    /// <summary>The named special tokens; reserved ones (<c>&lt;|reserved_N|&gt;</c>) follow them up to the vocabulary size.</summary>
    public static readonly IReadOnlyList<string> Named = [EndOfText, StartOfText, Mask, StartHeader, EndHeader, EndOfTurn];

    /// <summary>The name of reserved token <paramref name="index"/>.</summary>
    public static string Reserved(int index) => $"<|reserved_{index}|>";

    /// <summary>
    /// Meta-Llama-3-8B-Instruct's chat template, which LLaDA-8B-Instruct ships too: BOS, then per message a header,
    /// two newlines, the trimmed content and <c>&lt;|eot_id|&gt;</c>; with <c>add_generation_prompt</c>, an
    /// open assistant header.
    /// </summary>
    public const string ChatTemplate =
        "{% set loop_messages = messages %}{% for message in loop_messages %}"
        + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}"
        + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";
}
