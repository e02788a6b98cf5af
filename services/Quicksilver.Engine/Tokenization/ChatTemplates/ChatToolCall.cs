namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>
/// A call of a tool an assistant turn made, as chat templates read it (Hugging Face's shape: <c>{"id", "type":
/// "function", "function": {"name", "arguments"}}</c>, the arguments an object, not OpenAI's JSON string).
/// </summary>
/// <param name="Id">The call's id, which the tool's answer names (<c>tool_call_id</c>).</param>
/// <param name="Name">The function called.</param>
/// <param name="Arguments">Its arguments as template values: an object is an <see cref="IReadOnlyDictionary{TKey, TValue}"/> of them.</param>
public sealed record ChatToolCall(string Id, string Name, object? Arguments);
