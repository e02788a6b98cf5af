using Quicksilver.Engine.Constraints.Json;

namespace Quicksilver.Engine.Constraints;

/// <summary>The structured outputs a request can ask for, as constraints on a model's tokens.</summary>
public static class TokenConstraints
{
    /// <summary>
    /// OpenAI's <c>response_format</c> <c>json_object</c> (<see cref="JsonGrammar.AnyObject"/>) and <c>json_schema</c>
    /// (<see cref="JsonGrammar.FromSchema"/>): the answer is one JSON object the grammar allows, and ends when it
    /// closes (<see cref="JsonCursor"/>'s rules: no whitespace before it, limited whitespace runs and depth).
    /// </summary>
    public static ITokenConstraint Json(TokenTexts texts, JsonGrammar grammar) => new CursorConstraint<JsonCursor>(texts, new JsonCursor(grammar));

    /// <summary>
    /// A forced tool call (<c>tool_choice</c> <c>required</c> or a named function): the answer is one call in Hermes'
    /// syntax of one of <paramref name="names"/>, with an object of arguments (<see cref="ToolCallCursor"/>).
    /// </summary>
    public static ITokenConstraint ToolCall(TokenTexts texts, IReadOnlyList<string> names) => new CursorConstraint<ToolCallCursor>(texts, new ToolCallCursor(names));
}
