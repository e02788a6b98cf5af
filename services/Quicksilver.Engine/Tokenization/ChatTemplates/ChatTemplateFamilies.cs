namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>The names of the chat template families this engine renders (<see cref="IChatTemplate.Family"/>).</summary>
public static class ChatTemplateFamilies
{
    /// <summary>
    /// LLaMA-3 headers, as LLaDA ships: <c>&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content}&lt;|eot_id|&gt;</c>.
    /// </summary>
    public const string Llama3 = "llama3";

    /// <summary>ChatML, as Dream and Qwen2 ship: <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c>.</summary>
    public const string ChatML = "chatml";
}
