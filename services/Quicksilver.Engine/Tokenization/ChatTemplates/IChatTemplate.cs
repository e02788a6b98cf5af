namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>
/// Turns a conversation into the prompt text a chat model was trained on, as its <c>tokenizer_config.json</c>
/// <c>chat_template</c> renders it. The text holds the template's special tokens literally (BOS, headers, end of
/// turn); <see cref="ITextTokenizer.Encode"/> turns them into their ids, and nothing else is to be prepended.
/// Get one from <see cref="ChatTemplateLoader"/>. Implementations are immutable and thread-safe.
/// </summary>
public interface IChatTemplate
{
    /// <summary>
    /// Renders <paramref name="messages"/> in order, then, with <paramref name="addGenerationPrompt"/>, the opening
    /// of the assistant's turn that the model is to complete (Hugging Face's <c>add_generation_prompt</c>). With
    /// <paramref name="continueFinalMessage"/> (vLLM's <c>continue_final_message</c>) the last message is left open,
    /// without its end of turn, for the model to go on with (an assistant's prefill); not with a generation prompt.
    /// <paramref name="variables"/> are more variables for the template (vLLM's <c>chat_template_kwargs</c>, such as
    /// Qwen3's <c>enable_thinking</c>); they cannot replace <c>messages</c> or <c>add_generation_prompt</c>.
    /// <paramref name="tools"/> are the tools the model may call (template values in OpenAI's shape, <c>{"type":
    /// "function", "function": {…}}</c>), given to the template as <c>tools</c>; null or empty for none.
    /// Throws <see cref="ChatTemplateException"/> when the template refuses the conversation (its <c>raise_exception</c>,
    /// such as roles that do not alternate).
    /// </summary>
    string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool continueFinalMessage = false, IReadOnlyDictionary<string, object?>? variables = null, IReadOnlyList<object?>? tools = null);

    /// <summary>How the model writes calls of the tools the template describes to it; <see cref="ToolCallSyntax.None"/> when it describes none.</summary>
    ToolCallSyntax ToolCalls { get; }
}
