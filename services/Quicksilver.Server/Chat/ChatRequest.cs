using Quicksilver.Engine.Constraints.Json;
using Quicksilver.Engine.Tokenization.ChatTemplates;
using Quicksilver.Server.Completions;

namespace Quicksilver.Server.Chat;

/// <summary>A <c>POST /v1/chat/completions</c> body whose fields have passed the type and range checks.</summary>
internal sealed record ChatRequest
{
    /// <summary>The model named by the client, or null for the served one.</summary>
    public string? Model { get; init; }

    /// <summary>The conversation, roles already mapped to the template's (<c>developer</c> → <c>system</c>).</summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>The requested answer length, or null for what the context has room for (capped by the server's limit).</summary>
    public int? MaxTokens { get; init; }

    /// <summary>The field <see cref="MaxTokens"/> came from, named in context-length errors.</summary>
    public string MaxTokensParam { get; init; } = ChatRequestParser.MaxCompletionTokens;

    /// <summary><c>n</c>: how many answers (each its own sequence; choice i samples with seed + i).</summary>
    public int Choices { get; init; } = 1;

    public bool Stream { get; init; }

    /// <summary><c>add_special_tokens</c> (vLLM's): the rendered conversation also gets the tokenizer's special tokens.</summary>
    public bool AddSpecialTokens { get; init; }

    /// <summary><c>add_generation_prompt</c> (vLLM's, default true): the prompt ends by opening the assistant's turn.</summary>
    public bool AddGenerationPrompt { get; init; } = true;

    /// <summary><c>continue_final_message</c> (vLLM's): the last message is left open for the answer to continue.</summary>
    public bool ContinueFinalMessage { get; init; }

    /// <summary><c>chat_template_kwargs</c> (vLLM's): more variables for the chat template.</summary>
    public IReadOnlyDictionary<string, object?> TemplateVariables { get; init; } = new Dictionary<string, object?>();

    /// <summary><c>tools</c>, <c>tool_choice</c> and <c>parallel_tool_calls</c>.</summary>
    public ChatToolUse Tools { get; init; } = ChatToolUse.None;

    /// <summary><c>stream_options.include_usage</c>.</summary>
    public bool IncludeUsage { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public ulong? Seed { get; init; }

    /// <summary>
    /// Null without <c>logprobs: true</c>; with it, <c>top_logprobs</c> (0 when absent): report each answer token's
    /// log-probability and that many of the most likely tokens at its position.
    /// </summary>
    public int? Logprobs { get; init; }

    /// <summary><c>response_format</c>: the grammar of the JSON object the answer must be (null: any text).</summary>
    public JsonGrammar? ResponseFormat { get; init; }

    /// <summary>The sampling and diffusion fields, as given.</summary>
    public DecodingFields Decoding { get; init; } = new();
}
