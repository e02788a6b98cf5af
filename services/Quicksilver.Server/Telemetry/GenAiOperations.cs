namespace Quicksilver.Server.Telemetry;

/// <summary>The <c>gen_ai.operation.name</c> values: the first word of a generation's span name.</summary>
internal static class GenAiOperations
{
    /// <summary><c>POST /v1/completions</c>.</summary>
    public const string TextCompletion = "text_completion";

    /// <summary><c>POST /v1/chat/completions</c>.</summary>
    public const string Chat = "chat";
}
