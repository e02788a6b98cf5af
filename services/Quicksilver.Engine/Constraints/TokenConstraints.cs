namespace Quicksilver.Engine.Constraints;

/// <summary>The structured outputs a request can ask for, as constraints on a model's tokens.</summary>
public static class TokenConstraints
{
    /// <summary>
    /// OpenAI's <c>response_format: {"type": "json_object"}</c>: the answer is one JSON object and ends when it closes
    /// (<see cref="JsonCursor"/>'s rules: no whitespace before it, limited whitespace runs and depth). Any keys and
    /// values: no schema.
    /// </summary>
    public static ITokenConstraint JsonObject(TokenTexts texts) => new CursorConstraint<JsonCursor>(texts, default);

    /// <summary>
    /// A forced tool call (<c>tool_choice</c> <c>required</c> or a named function): the answer is one call in Hermes'
    /// syntax of one of <paramref name="names"/>, with an object of arguments (<see cref="ToolCallCursor"/>).
    /// </summary>
    public static ITokenConstraint ToolCall(TokenTexts texts, IReadOnlyList<string> names) => new CursorConstraint<ToolCallCursor>(texts, new ToolCallCursor(names));
}
