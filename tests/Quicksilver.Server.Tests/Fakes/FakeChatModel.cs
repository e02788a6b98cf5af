using Quicksilver.Engine;
using Quicksilver.Engine.Tokenization;
using Quicksilver.Engine.Tokenization.ChatTemplates;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Tests.Fakes;

/// <summary>
/// <see cref="FakeServedModel"/> with the LLaMA-3 chat template (as the embedded model's <c>tokenizer_config.json</c>
/// renders it, BOS <c>&lt;|startoftext|&gt;</c>) and a context of <see cref="ContextLength"/>. The fake tokenizer spells
/// the template's special tokens byte by byte (hence the longer context), so the prompt the engine receives decodes
/// back to exactly the rendered text.
/// </summary>
internal static class FakeChatModel
{
    public const int ContextLength = 1024;

    public static IChatTemplate Template { get; } = JinjaChatTemplate.Parse(
        TokenizerConfigReader.Read(Path.Combine(RepositoryFolders.Root, "models", "quicksilver-tiny", TokenizerConfigReader.FileName)).ChatTemplate!,
        new Dictionary<string, string> { ["bos_token"] = "<|startoftext|>" });

    /// <summary>Dream's chat template (Qwen2.5's, <c>tests/chat-templates/dream.jinja</c>): it describes tools, and calls are Hermes' <c>&lt;tool_call&gt;</c>.</summary>
    public static IChatTemplate DreamTemplate { get; } = JinjaChatTemplate.Parse(
        File.ReadAllText(Path.Combine(RepositoryFolders.Root, "tests", "chat-templates", "dream.jinja")).TrimEnd('\n'),
        new Dictionary<string, string>());

    public static ServedModel Create(FakeGenerationEngine? engine = null, IChatTemplate? template = null)
    {
        ServedModel model = FakeServedModel.Create(engine);
        return model with { Config = model.Config with { MaxSequenceLength = ContextLength }, ChatTemplate = template ?? Template };
    }
}
