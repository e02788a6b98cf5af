using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tokenization;
using Quicksilver.Engine.Tokenization.ChatTemplates;

namespace Quicksilver.Engine;

/// <summary>A model loaded and ready to serve: its identity, tokenizer and running engine.</summary>
/// <param name="Id">The model id clients name in requests (the folder name by default).</param>
/// <param name="Config">The checkpoint's hyper-parameters.</param>
/// <param name="Tokenizer">Text ↔ ids.</param>
/// <param name="Engine">The step loop serving this model.</param>
/// <param name="BackendName">Compute backend: <c>cpu</c> or <c>cuda</c>.</param>
/// <param name="Created">When the model was loaded (reported as <c>created</c> in <c>/v1/models</c>).</param>
public sealed record ServedModel(
    string Id,
    ModelConfig Config,
    ITextTokenizer Tokenizer,
    IGenerationEngine Engine,
    string BackendName,
    DateTimeOffset Created) : IDisposable
{
    /// <summary>What the model holds open (engine, weights, mapped files, device); disposed with the model.</summary>
    public IReadOnlyList<IDisposable> Resources { get; init; } = [];

    /// <summary>
    /// Renders chat conversations into this model's prompts (its <c>tokenizer_config.json</c> <c>chat_template</c>),
    /// or null when the model has no chat template: it then serves completions but not chat.
    /// </summary>
    public IChatTemplate? ChatTemplate { get; init; }

    /// <summary>
    /// The model folder's <c>generation_config.json</c>: the defaults of the fields a request leaves out (as vLLM's
    /// <c>--generation-config auto</c>); <see cref="GenerationDefaults.None"/> when the folder has none.
    /// </summary>
    public GenerationDefaults Generation { get; init; } = GenerationDefaults.None;

    /// <summary>
    /// The special tokens the tokenizer puts around a completions prompt's text (as Hugging Face's <c>tokenizer(text)</c>
    /// and vLLM do); none around token-id prompts or chat prompts, whose template writes them.
    /// </summary>
    public PromptSpecialTokens PromptSpecialTokens { get; init; } = PromptSpecialTokens.None;

    /// <summary>The text each of the model's token ids writes (its padding ids none), for output constraints; decoded on first use.</summary>
    public Constraints.TokenTexts TokenTexts => Constraints.TokenTexts.Of(Tokenizer, Config.VocabSize);

    /// <summary>Longest canvas (prompt + answer) in tokens.</summary>
    public int ContextLength => Config.MaxSequenceLength;

    /// <summary>Stops the engine and releases the weights, in reverse order of acquisition.</summary>
    public void Dispose()
    {
        foreach (IDisposable resource in Resources.Reverse())
        {
            resource.Dispose();
        }
    }
}
