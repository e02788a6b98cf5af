using System.Text;
using System.Text.Json;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Constraints.Json;
using Quicksilver.Engine.Tokenization.ChatTemplates;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Errors;
using static Quicksilver.Server.Completions.RequestFieldReader;

namespace Quicksilver.Server.Chat;

/// <summary>
/// Reads a <c>POST /v1/chat/completions</c> body field by field, so that every mistake is a 400 naming the field
/// (<see cref="ApiErrorException"/>); a message's fields are named by their path (<c>messages[1].content</c>).
/// Unknown fields are ignored. The sampling, streaming and diffusion fields are read as
/// <c>/v1/completions</c> reads them (<see cref="Completions.RequestFieldReader"/>).
/// </summary>
internal static class ChatRequestParser
{
    public const string MaxCompletionTokens = "max_completion_tokens";
    public const string MaxTokens = "max_tokens";

    private const string Messages = "messages";

    public static ChatRequest Parse(JsonElement body, LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        string? model = OptionalString(body, "model");
        IReadOnlyList<ChatMessage> messages = ParseMessages(body);
        int? maxCompletionTokens = OptionalInteger(body, MaxCompletionTokens, 1, limits.MaxTokens);
        // The deprecated max_tokens counts only without max_completion_tokens (OpenAI's and vLLM's precedence); beside
        // it, max_tokens is only checked to be an integer.
        int? maxTokens = null;
        if (maxCompletionTokens is null)
        {
            maxTokens = OptionalInteger(body, MaxTokens, 1, limits.MaxTokens);
        }
        else if (TryGetValue(body, MaxTokens, out JsonElement ignored))
        {
            ReadInteger(ignored, MaxTokens);
        }
        DecodingFields decoding = ParseDecoding(body, limits.MaxLogitBiasEntries);
        int choices = OptionalInteger(body, "n", 1, limits.MaxChoices) ?? 1;
        bool stream = OptionalBoolean(body, "stream") ?? false;
        bool includeUsage = ParseStreamOptions(body, stream);
        IReadOnlyList<string> stop = ParseStop(body);
        ulong? seed = ParseSeed(body);
        OptionalString(body, "user");
        ChatToolUse tools = ChatToolsParser.ParseToolUse(body);
        JsonGrammar? responseFormat = ResponseFormatReader.Parse(body);
        (bool addGenerationPrompt, bool continueFinalMessage) = ParsePromptEnding(body);
        IReadOnlyDictionary<string, object?> templateVariables = ParseChatTemplateKwargs(body);
        UnsupportedFields.RejectForChat(body);

        return new ChatRequest
        {
            Model = model,
            Messages = messages,
            MaxTokens = maxCompletionTokens ?? maxTokens,
            MaxTokensParam = maxCompletionTokens is null && maxTokens is not null ? MaxTokens : MaxCompletionTokens,
            Choices = choices,
            Stream = stream,
            AddSpecialTokens = OptionalBoolean(body, "add_special_tokens") ?? false,
            AddGenerationPrompt = addGenerationPrompt,
            ContinueFinalMessage = continueFinalMessage,
            TemplateVariables = templateVariables,
            Tools = tools,
            IncludeUsage = includeUsage,
            Stop = stop,
            Seed = seed,
            Logprobs = ParseLogprobs(body),
            ResponseFormat = responseFormat,
            Decoding = decoding,
        };
    }

    /// <summary>
    /// vLLM's <c>add_generation_prompt</c> (default true) and <c>continue_final_message</c> (default false): continuing
    /// the final message (an assistant's prefill) needs the generation prompt off, as in vLLM.
    /// </summary>
    private static (bool AddGenerationPrompt, bool ContinueFinalMessage) ParsePromptEnding(JsonElement body)
    {
        bool continueFinalMessage = OptionalBoolean(body, "continue_final_message") ?? false;
        bool? addGenerationPrompt = OptionalBoolean(body, "add_generation_prompt");
        if (continueFinalMessage && addGenerationPrompt == true)
        {
            throw ApiErrorException.BadRequest(
                "'continue_final_message' and 'add_generation_prompt' cannot both be true: the answer either continues the last message or starts a new turn.",
                "continue_final_message");
        }

        return (addGenerationPrompt ?? !continueFinalMessage, continueFinalMessage);
    }

    /// <summary>
    /// vLLM's <c>chat_template_kwargs</c>: an object whose fields are more variables for the chat template (Qwen3's
    /// <c>enable_thinking</c>, say); JSON values as the template reads them.
    /// </summary>
    private static Dictionary<string, object?> ParseChatTemplateKwargs(JsonElement body)
    {
        const string Field = "chat_template_kwargs";
        if (!TryGetValue(body, Field, out JsonElement kwargs) || kwargs.ValueKind == JsonValueKind.Null)
        {
            return new Dictionary<string, object?>();
        }

        if (kwargs.ValueKind != JsonValueKind.Object)
        {
            throw TypeError(Field, "an object", kwargs);
        }

        Dictionary<string, object?> fields = TemplateValues.Fields(kwargs, Field);
        // Tools are offered with 'tools', which are checked and whose calls are read from the answer (Llama 3.x
        // templates also read custom_tools, in a syntax this server does not read). Empty ones are dropped: a
        // template that tests 'tools is not none' would describe an empty tool set.
        foreach (string tools in (string[])["tools", "custom_tools"])
        {
            if (fields.GetValueOrDefault(tools) is not (null or List<object?> { Count: 0 }))
            {
                throw ApiErrorException.BadRequest(
                    $"'chat_template_kwargs.{tools}' is not supported: offer tools with the request's 'tools'.", Field);
            }

            fields.Remove(tools);
        }

        return fields;
    }

    private static ChatMessage[] ParseMessages(JsonElement body)
    {
        if (!TryGetValue(body, Messages, out JsonElement messages))
        {
            throw ApiErrorException.BadRequest($"Missing required parameter: '{Messages}'.", Messages);
        }

        if (messages.ValueKind != JsonValueKind.Array)
        {
            throw TypeError(Messages, "an array of messages", messages);
        }

        if (messages.GetArrayLength() == 0)
        {
            throw ApiErrorException.BadRequest("'messages' must hold at least one message.", Messages);
        }

        return [.. messages.EnumerateArray().Select((message, i) => ParseMessage(message, $"{Messages}[{i}]"))];
    }

    private static ChatMessage ParseMessage(JsonElement message, string path)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw TypeErrorAt(path, "an object with 'role' and 'content'", message);
        }

        string role = RequiredString(message, "role", path);
        string templateRole = role switch
        {
            "system" or "developer" => ChatRoles.System,
            "user" => ChatRoles.User,
            "assistant" => ChatRoles.Assistant,
            "tool" => ChatRoles.Tool,
            "function" => throw ApiErrorException.BadRequest(
                $"Messages with role 'function' are deprecated and not supported: answer a tool call with a message of role 'tool'.", $"{path}.role"),
            _ => throw ApiErrorException.BadRequest(
                $"Invalid value for '{path}.role': expected 'system', 'developer', 'user', 'assistant' or 'tool', but got '{role}' instead.", $"{path}.role"),
        };

        if (TryGetValue(message, "name", out JsonElement name) && name.ValueKind != JsonValueKind.String)
        {
            throw TypeErrorAt($"{path}.name", "a string", name);
        }

        IReadOnlyList<ChatToolCall>? toolCalls = null;
        if (templateRole == ChatRoles.Assistant)
        {
            toolCalls = ChatToolsParser.ParseToolCalls(message, path);
            CheckNoAudio(message, path);
        }

        string? toolCallId = templateRole == ChatRoles.Tool ? RequiredString(message, "tool_call_id", path) : null;
        return new ChatMessage(
            templateRole,
            ParseContent(message, path, assistant: templateRole == ChatRoles.Assistant),
            name.ValueKind == JsonValueKind.String ? name.GetString() : null,
            toolCalls,
            toolCallId);
    }

    /// <summary>
    /// A string, or text parts joined with newlines (as vLLM joins them for string-content templates). An assistant
    /// turn may also hold refusal parts (OpenAI's, in a conversation replayed), read as its text.
    /// </summary>
    private static string ParseContent(JsonElement message, string path, bool assistant)
    {
        string field = $"{path}.content";
        if (!TryGetValue(message, "content", out JsonElement content))
        {
            // An assistant turn may have no content (OpenAI allows it beside tool calls); it renders as empty.
            return assistant ? string.Empty : throw ApiErrorException.BadRequest($"Missing required parameter: '{field}'.", field);
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw TypeErrorAt(field, "a string or an array of text parts", content);
        }

        if (content.GetArrayLength() == 0)
        {
            throw ApiErrorException.BadRequest($"Invalid '{field}': an empty array; send at least one text part, or a string.", field);
        }

        var text = new StringBuilder();
        int index = 0;
        foreach (JsonElement part in content.EnumerateArray())
        {
            string partPath = $"{field}[{index}]";
            if (part.ValueKind != JsonValueKind.Object)
            {
                throw ApiErrorException.BadRequest(
                    $"Invalid type for '{partPath}': expected a content part object {{\"type\": \"text\", \"text\": …}}, but got {Describe(part.ValueKind)} instead.", field);
            }

            string? type = part.TryGetProperty("type", out JsonElement typeValue) && typeValue.ValueKind == JsonValueKind.String ? typeValue.GetString() : null;
            string textName = type switch
            {
                "text" => "text",
                "refusal" when assistant => "refusal",
                null => throw ApiErrorException.BadRequest(
                    $"Invalid content part '{partPath}': it needs a string 'type'; only parts of type 'text' are supported.", field),
                _ => throw ApiErrorException.BadRequest(
                    $"Content parts of type '{type}' are not supported ('{partPath}'): this model reads text only; send parts of type 'text'.", field),
            };

            if (!part.TryGetProperty(textName, out JsonElement partText) || partText.ValueKind != JsonValueKind.String)
            {
                throw ApiErrorException.BadRequest($"Invalid content part '{partPath}': a '{type}' part needs a string '{textName}'.", field);
            }

            text.Append(index++ == 0 ? string.Empty : "\n").Append(partText.GetString());
        }

        return text.ToString();
    }

    /// <summary>An earlier audio answer (<c>audio: {id}</c>) this text-only model could not have given, nor can read.</summary>
    private static void CheckNoAudio(JsonElement message, string path)
    {
        if (TryGetValue(message, "audio", out _))
        {
            throw ApiErrorException.BadRequest($"'{path}.audio' is not supported: this model reads and writes text only.", $"{path}.audio");
        }
    }

    /// <summary>
    /// <c>logprobs</c> (a boolean) and <c>top_logprobs</c> (an integer in [0, 20]; above 0 only with <c>logprobs: true</c>,
    /// as OpenAI requires): null without <c>logprobs: true</c>, else the alternatives to list at each token.
    /// </summary>
    private static int? ParseLogprobs(JsonElement body)
    {
        bool logprobs = OptionalBoolean(body, "logprobs") ?? false;
        int topLogprobs = OptionalInteger(body, "top_logprobs", 0, TokenLogprob.MaxAlternatives) ?? 0;
        if (topLogprobs > 0 && !logprobs)
        {
            throw ApiErrorException.BadRequest("'top_logprobs' needs 'logprobs': true.", "top_logprobs");
        }

        return logprobs ? topLogprobs : null;
    }
}
