namespace Quicksilver.Server.Wire;

/// <summary>A call of a function the answer makes (OpenAI's <c>tool_calls</c> entries).</summary>
/// <param name="Id">The call's id, <c>call_</c> and 24 hex digits; the tool's answer names it as <c>tool_call_id</c>.</param>
/// <param name="Type">Always <c>function</c>.</param>
/// <param name="Function">The function and its arguments.</param>
internal sealed record ToolCall(string Id, string Type, ToolCallFunction Function)
{
    /// <summary>A call of <paramref name="function"/> with a new id.</summary>
    public static ToolCall Of(ToolCallFunction function) => new($"call_{Guid.NewGuid():N}"[..29], "function", function);
}

/// <summary>The function a tool call calls.</summary>
/// <param name="Name">The function's name, as the model wrote it.</param>
/// <param name="Arguments">Its arguments: a JSON text, as the model wrote it.</param>
internal sealed record ToolCallFunction(string Name, string Arguments);

/// <summary>A tool call in a stream chunk: each call is sent whole, in one chunk.</summary>
/// <param name="Index">The call's position among the choice's calls.</param>
/// <param name="Id">The call's id.</param>
/// <param name="Type">Always <c>function</c>.</param>
/// <param name="Function">The function and its arguments.</param>
internal sealed record ToolCallDelta(int Index, string Id, string Type, ToolCallFunction Function);
