using System.Text.Json.Serialization;

namespace Quicksilver.Server.Wire;

/// <summary>What a stream chunk adds to the assistant's message; fields without news are left out (<c>{}</c> when none).</summary>
/// <param name="Role"><c>assistant</c> on the first chunk only.</param>
/// <param name="Content">The new text: empty on the first chunk, absent when a chunk only ends the choice.</param>
internal sealed record ChatCompletionDelta(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content);
