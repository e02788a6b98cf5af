namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>How a chat model writes a call of a tool in its answer, as its chat template shows it.</summary>
public enum ToolCallSyntax
{
    /// <summary>The template describes no tools: the model was not trained to call them.</summary>
    None,

    /// <summary>
    /// Hermes' (Qwen2.5 and so Dream, Qwen3 and so SDAR): each call a JSON object <c>{"name": …, "arguments": {…}}</c>
    /// between <c>&lt;tool_call&gt;</c> and <c>&lt;/tool_call&gt;</c>, after any text.
    /// </summary>
    Hermes,
}
