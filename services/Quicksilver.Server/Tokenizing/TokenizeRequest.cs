using System.Text.Json;
using Quicksilver.Engine;
using Quicksilver.Server.Chat;
using Quicksilver.Server.Errors;
using static Quicksilver.Server.Completions.RequestFieldReader;

namespace Quicksilver.Server.Tokenizing;

/// <summary>
/// A <c>POST /tokenize</c> body whose fields have passed their checks: vLLM's completion form (<c>prompt</c>, a text)
/// or its chat form (<c>messages</c>, read with every check <c>POST /v1/chat/completions</c> makes). Either is
/// tokenised exactly as the generation endpoint tokenises the same prompt, so a client can count what a request will
/// cost against the context before sending it.
/// </summary>
/// <param name="Model">The model named by the client, or null for the served one.</param>
/// <param name="Prompt">The completion form's text; null for the chat form.</param>
/// <param name="Chat">The chat form's conversation; null for the completion form.</param>
/// <param name="AddSpecialTokens"><c>add_special_tokens</c>: default true for a prompt, false for a chat, as on the generation endpoints.</param>
/// <param name="ReturnTokenStrs"><c>return_token_strs</c>: also answer each id's text.</param>
internal sealed record TokenizeRequest(string? Model, string? Prompt, ChatRequest? Chat, bool AddSpecialTokens, bool ReturnTokenStrs)
{
    public static TokenizeRequest Parse(JsonElement body, LimitsOptions limits)
    {
        bool hasPrompt = TryGetValue(body, "prompt", out JsonElement prompt);
        bool hasMessages = TryGetValue(body, "messages", out _);
        if (hasPrompt && hasMessages)
        {
            throw ApiErrorException.BadRequest("Send either 'prompt' (a completion's text) or 'messages' (a chat), not both.", "messages");
        }

        bool returnTokenStrs = OptionalBoolean(body, "return_token_strs") ?? false;
        if (hasMessages)
        {
            ChatRequest chat = ChatRequestParser.Parse(body, limits);
            return new(chat.Model, null, chat, chat.AddSpecialTokens, returnTokenStrs);
        }

        if (!hasPrompt)
        {
            throw ApiErrorException.BadRequest("Missing required parameter: 'prompt' (or 'messages' for a chat).", "prompt");
        }

        string text = prompt.ValueKind == JsonValueKind.String ? prompt.GetString()! : throw TypeError("prompt", "a string", prompt);
        return new(OptionalString(body, "model"), text, null, OptionalBoolean(body, "add_special_tokens") ?? true, returnTokenStrs);
    }

    /// <summary>The prompt's ids for <paramref name="model"/>.</summary>
    public IReadOnlyList<int> Tokens(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Chat is { } chat)
        {
            return ChatPlanner.PromptTokens(chat, model);
        }

        IReadOnlyList<int> text = model.Tokenizer.Encode(Prompt!);
        return AddSpecialTokens ? model.PromptSpecialTokens.Around(text) : text;
    }
}
