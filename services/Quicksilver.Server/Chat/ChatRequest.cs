using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Tokenization.ChatTemplates;

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

    public float Temperature { get; init; } = 1f;

    /// <summary><c>n</c>: how many answers (each its own sequence; choice i samples with seed + i).</summary>
    public int Choices { get; init; } = 1;

    public bool Stream { get; init; }

    /// <summary><c>stream_options.include_usage</c>.</summary>
    public bool IncludeUsage { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public ulong? Seed { get; init; }

    public int? Steps { get; init; }

    public int? BlockLength { get; init; }

    public RemaskingStrategy Remasking { get; init; } = RemaskingStrategy.LowConfidence;

    /// <summary>The commit rule (<c>threshold</c> or <c>factor</c>) and its parameter; the step schedule by default.</summary>
    public (CommitRule Rule, double Parameter) Commit { get; init; } = (CommitRule.Schedule, 0);

    /// <summary>The <c>kv_cache</c> extension field; null for the deployment's default.</summary>
    public KvCacheMode? KvCache { get; init; }

    /// <summary>The <c>ignore_eos</c> extension field (vLLM's): end tokens do not end the answer.</summary>
    public bool IgnoreEos { get; init; }
}
