using System.Globalization;
using System.Text;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Models;

namespace Quicksilver.ModelBuilder;

/// <summary>The folder's <c>README.md</c>: what the model is, how it was made, and from what.</summary>
internal sealed record ModelCard(
    BuilderOptions Options,
    IReadOnlyList<CorpusFile> Corpus,
    int MergeCount,
    int ReservedCount,
    SpecialTokenIds Ids,
    long Parameters,
    string DemoPrompt,
    int DemoTokens,
    double BytesPerToken)
{
    public string Render()
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(Options.OutputDirectory)));
        bool defaultCorpus = Corpus.Select(c => c.Path).SequenceEqual(BuilderOptions.DefaultCorpus);
        BuiltFamily family = BuiltFamily.Of(Options.Architecture);
        QwenFamily? qwen = family.Qwen;
        bool qwenNamed = qwen is not null;
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line($"# {name}");
        Line();
        Line($"A tiny diffusion language model in {family.DisplayName}'s checkpoint format, made for Quicksilver's tests, demos and");
        Line("CPU/GPU parity checks. It is small enough to commit and to run anywhere.");
        Line();
        Line("**The weights are random** (a seeded initialisation, no training), so the model loads and runs but its");
        Line("output is noise. `tools/train/train_llada.py` trains such a LLaDA folder; `models/quicksilver-tiny` is one trained so.");
        Line();
        Line("## Files");
        Line();
        Line("| file | contents |");
        Line("|---|---|");
        Line(qwen is not null ? $"| `config.json` | {family.DisplayName} config (Qwen field names): `{qwen.ArchitectureName}`, `model_type` `{qwen.ModelType}` |" : "| `config.json` | LLaDA config: `LLaDAModelLM`, `model_type` `llada` |");
        Line(Invariant($"| `model.safetensors` | {Parameters:N0} parameters in BF16, {(qwenNamed ? $"{family.DisplayName} tensor names (`model.layers.…`{(family.TieWordEmbeddings ? ", no `lm_head`" : ", `lm_head`")})" : "LLaDA tensor names (`model.transformer.…`)")}, metadata `format: pt` |"));
        Line(Invariant($"| `tokenizer.json` | byte-level BPE in Hugging Face's format (GPT-2 byte alphabet and pre-tokenizer), {MergeCount} merges |"));
        Line("| `tokenizer_config.json` | special tokens by content, LLaMA-3 chat template (as LLaDA-8B-Instruct ships), `model_max_length` |");
        Line($"| `generation_config.json` | end ids (EOS and end-of-turn), 128 new tokens, 128 steps, blocks of {(family.AttentionBlockLength > 0 ? family.AttentionBlockLength : 32)}, temperature 0{(Options.Architecture == ModelArchitecture.Dream ? ", eps 1e-3" : string.Empty)} |");
        Line();
        Line("## Architecture");
        Line();
        Line("| field | value |");
        Line("|---|---|");
        Line(Invariant($"| d_model / n_layers | {Options.DModel} / {Options.Layers} |"));
        Line(Invariant($"| n_heads / n_kv_heads / head_dim | {Options.Heads} / {Options.KvHeads} / {Options.HeadDim} |"));
        Line(Invariant($"| mlp_hidden_size | {Options.MlpHidden} (SiLU-gated: {(qwenNamed ? "`down_proj(silu(gate_proj(x)) * up_proj(x))`" : "`ff_out(silu(ff_proj(x)) * up_proj(x))`")}) |"));
        Line(Invariant($"| vocab_size = embedding_size | {Options.VocabSize} |"));
        Line(Invariant($"| max_sequence_length | {Options.MaxSequenceLength} |"));
        Line(Invariant($"| norm / RoPE θ | RMSNorm ε {family.RmsNormEps:0.#e0} / {family.RopeTheta:0} |"));
        Line(qwen is null ? "| bias / tied embeddings | none / no (`ff_out` is the output head) |"
            : $"| bias / tied embeddings / logits | {(qwen.QkvBias == true ? "q, k, v only" : "none")} / {(family.TieWordEmbeddings ? "yes (the embedding is the output head)" : "no (`lm_head` is the output head)")} / {(qwen.ShiftLogits ? "shifted by one" : "unshifted")} |");
        if (qwen is { QueryKeyNorm: true })
        {
            Line("| q/k norm | per-head RMSNorm (`q_norm`, `k_norm`, ε as above) before RoPE |");
        }

        if (family.AttentionBlockLength > 0)
        {
            Line(Invariant($"| attention | block-causal over blocks of {family.AttentionBlockLength} (`{qwen?.BlockSizeField}`) |"));
        }
        Line();
        Line("## Tokenizer");
        Line();
        Line(Invariant($"{Options.VocabSize} ids: 256 byte symbols, {MergeCount} merges learned by Quicksilver's `BpeTrainer`,"));
        Line(Invariant($"{TinyModelTokens.Named.Count} special tokens and {ReservedCount} reserved ones (`<|reserved_0|>`…) that pad the vocabulary"));
        Line("to a multiple of 64. Every byte sequence is encodable; literal special tokens in text become their ids.");
        Line();
        Line("| token | id | role |");
        Line("|---|---|---|");
        Line(Invariant($"| `{TinyModelTokens.EndOfText}` | {Ids.EndOfText} | EOS, also padding; the canvas tail fills with it |"));
        Line(Invariant($"| `{TinyModelTokens.StartOfText}` | {Ids.StartOfText} | BOS, starts every chat |"));
        Line(Invariant($"| `{TinyModelTokens.Mask}` | {Ids.Mask} | mask: positions still to be generated |"));
        Line(Invariant($"| `{TinyModelTokens.StartHeader}` | {Ids.StartHeader} | opens a chat header |"));
        Line(Invariant($"| `{TinyModelTokens.EndHeader}` | {Ids.EndHeader} | closes a chat header |"));
        Line(Invariant($"| `{TinyModelTokens.EndOfTurn}` | {Ids.EndOfTurn} | end of turn; generation stops here too |"));
        Line();
        Line(Invariant($"On its own corpus it averages {BytesPerToken:F2} bytes per token; \"{DemoPrompt}\" is {DemoTokens} tokens."));
        Line("A chat prompt renders as `<|startoftext|><|start_header_id|>user<|end_header_id|>\\n\\n{content}<|eot_id|>`");
        Line("followed by `<|start_header_id|>assistant<|end_header_id|>\\n\\n` when a generation prompt is asked for.");
        Line();
        Line("## Weights");
        Line();
        Line(Invariant($"Seed {Options.Seed}. Every tensor has its own SplitMix64 stream (seeded by the seed and the tensor's name);"));
        Line("matrices are N(0, 0.02²) (each draw a sum of 12 uniforms, so the bits do not depend on a maths library),");
        Line(Invariant($"the residual output projections {(qwenNamed ? "`o_proj` and `down_proj`" : "`attn_out` and the blocks' `ff_out`")} are scaled by 1/√(2·{Options.Layers}), and RMSNorm"));
        Line(qwen?.QkvBias == true ? "weights are 1, the q/k/v biases 0. Values are rounded to BF16 (round to nearest even)." : "weights are 1. Values are rounded to BF16 (round to nearest even).");
        Line();
        Line("## Corpus and licences");
        Line();
        Line("The tokenizer was trained on:");
        Line();
        foreach (CorpusFile file in Corpus)
        {
            Line(Invariant($"- `{file.Path}` ({Encoding.UTF8.GetByteCount(file.Text):N0} bytes, sha256 `{file.Sha256}`)"));
        }

        Line();
        if (defaultCorpus)
        {
            Line("These are the texts of the GNU General Public License v3 (© Free Software Foundation, which permits verbatim");
            Line("copying and distribution of the licence document) and of the Apache License 2.0 (© The Apache Software");
            Line("Foundation), as shipped by Debian's `base-files` package. Neither licence applies to this model by being a");
            Line("training text: the folder holds no copy of them, only statistics (the merge rules and the token strings they form).");
        }
        else
        {
            Line("The folder holds no copy of these texts, only statistics (the merge rules and the token strings they form);");
            Line("their own licences decide what may be done with that.");
        }

        Line();
        Line("## How it was made");
        Line();
        Line("From the repository root:");
        Line();
        Line("```sh");
        Line(Options.CommandLine());
        Line("```");
        Line();
        Line("The build is deterministic: the same command and corpus files (check the sha256 above) produce byte-identical");
        Line("files, which `sha256sum` confirms across runs.");
        return text.ToString();
    }

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
