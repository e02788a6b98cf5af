namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>The roles the chat templates render.</summary>
public static class ChatRoles
{
    /// <summary>Instructions that frame the conversation.</summary>
    public const string System = "system";

    /// <summary>The person asking.</summary>
    public const string User = "user";

    /// <summary>The model; the generation prompt opens an assistant turn.</summary>
    public const string Assistant = "assistant";

    /// <summary>What a tool the assistant called answered.</summary>
    public const string Tool = "tool";
}
