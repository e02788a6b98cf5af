namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>The conversation most chat tests send, and what the LLaMA-3 chat template renders it to.</summary>
public static class ChatConversation
{
    public const string System = "You are terse.";

    public const string User = "Name a metal.";

    /// <summary>
    /// <see cref="System"/> and <see cref="User"/> as the embedded model's template renders them: what Hugging Face's
    /// <c>apply_chat_template(…, add_generation_prompt=True)</c> returns for its <c>tokenizer_config.json</c>.
    /// </summary>
    public const string RenderedPrompt =
        "<|startoftext|><|start_header_id|>system<|end_header_id|>\n\n" + System + "<|eot_id|>" +
        "<|start_header_id|>user<|end_header_id|>\n\n" + User + "<|eot_id|>" +
        "<|start_header_id|>assistant<|end_header_id|>\n\n";
}
