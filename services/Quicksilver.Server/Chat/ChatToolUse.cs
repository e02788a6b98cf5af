namespace Quicksilver.Server.Chat;

/// <summary>
/// The tools a chat request offers the model (<c>tools</c>, <c>tool_choice</c>, <c>parallel_tool_calls</c>), once
/// checked. <see cref="Offered"/> are given to the chat template, which describes them to the model, and the answer is
/// read for calls of them; with <c>tool_choice: "none"</c> or no tools, neither.
/// </summary>
/// <param name="Offered">The tools as template values, in OpenAI's shape; empty when the model is not to call any.</param>
/// <param name="Parallel"><c>parallel_tool_calls</c> (default true): false keeps only an answer's first call.</param>
internal sealed record ChatToolUse(IReadOnlyList<object?> Offered, bool Parallel)
{
    public static ChatToolUse None { get; } = new([], Parallel: true);

    /// <summary>
    /// <c>tool_choice</c> <c>required</c> (every offered name) or a named function (that one): the answer is one call
    /// of one of these names, decoded under a constraint; null when the model decides.
    /// </summary>
    public IReadOnlyList<string>? Forced { get; init; }

    /// <summary>Whether the model is offered tools, so its answer is read for calls.</summary>
    public bool Active => Offered.Count > 0;
}
