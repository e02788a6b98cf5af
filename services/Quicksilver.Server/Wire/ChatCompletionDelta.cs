using System.Text.Json.Serialization;

namespace Quicksilver.Server.Wire;

/// <summary>What a stream chunk adds to the assistant's message; fields without news are left out (<c>{}</c> when none).</summary>
internal sealed record ChatCompletionDelta
{
    /// <summary><c>assistant</c> on a choice's first chunk only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init; }

    /// <summary>The new text: empty on a choice's first chunk, absent when a chunk only ends the choice.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Content { get; init; }

    /// <summary>The calls of tools the answer makes, each whole, on the choice's last chunk.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ToolCallDelta>? ToolCalls { get; init; }
}
