using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine;

/// <summary>
/// The ids that end an answer: <c>config.json</c>'s and <c>generation_config.json</c>'s <c>eos_token_id</c>, the
/// tokenizer's <c>eos_token</c>, and the chat end-of-turn tokens (<c>&lt;|eot_id|&gt;</c> for LLaDA, <c>&lt;|im_end|&gt;</c>
/// for Dream/Qwen) when the vocabulary has them — DIFFUSION.md §1.3: cut at the first EOS or EoT.
/// </summary>
internal static class EndTokens
{
    private static readonly string[] EndOfTurnTokens = ["<|eot_id|>", "<|im_end|>"];

    public static HashSet<int> Collect(ModelConfig config, GenerationDefaults generation, TokenizerConfig tokenizerConfig, ITextTokenizer tokenizer)
    {
        var ids = new HashSet<int>(config.EosTokenIds);
        ids.UnionWith(generation.EosTokenIds ?? []);
        foreach (string? token in EndOfTurnTokens.Append(tokenizerConfig.EosToken))
        {
            if (token is not null && tokenizer.TokenToId(token) is int id)
            {
                ids.Add(id);
            }
        }

        ids.Remove(config.MaskTokenId);
        return ids;
    }
}
