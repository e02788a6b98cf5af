using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;

namespace Quicksilver.ModelBuilder;

/// <summary>The JSON files of the model folder, written deterministically (fixed key order, two-space indent, LF).</summary>
internal static class ModelJsonFiles
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// <c>config.json</c> in the family's format: LLaDA's (<c>LLaDAModelLM</c>, <c>model_type</c> "llada", OLMo field
    /// names) or a Qwen-named family's (<see cref="QwenFamily"/>: its architecture and <c>model_type</c>, Qwen2/Qwen3
    /// field names, and its block field for SDAR and Fast-dLLM v2), as <see cref="ModelConfigReader"/> reads them.
    /// </summary>
    public static void WriteConfig(string path, ModelConfig config, SpecialTokenIds ids) => Write(path, json =>
    {
        QwenFamily? qwen = QwenFamily.Of(config.Architecture);
        ConfigFieldNames f = qwen is null ? ConfigFieldNames.LLaDA : ConfigFieldNames.Dream;
        json.WriteStartArray("architectures");
        json.WriteStringValue(qwen?.ArchitectureName ?? "LLaDAModelLM");
        json.WriteEndArray();
        json.WriteString("model_type", qwen?.ModelType ?? "llada");
        json.WriteNumber(f.Hidden, config.HiddenSize);
        json.WriteNumber(f.Layers, config.LayerCount);
        json.WriteNumber(f.Heads, config.HeadCount);
        json.WriteNumber(f.KeyValueHeads, config.KeyValueHeadCount);
        json.WriteNumber(f.Intermediate, config.IntermediateSize);
        json.WriteNumber(f.Vocab, config.VocabSize);
        if (qwen is null)
        {
            json.WriteNumber("embedding_size", config.VocabSize);
        }

        WriteFloat(json, f.RopeTheta, config.RopeTheta);
        WriteFloat(json, f.RmsNormEps, config.RmsNormEps);
        json.WriteNumber(f.MaxSequence, config.MaxSequenceLength);
        json.WriteNumber(f.MaskToken, config.MaskTokenId);
        json.WriteNumber(f.EosToken, ids.EndOfText);
        json.WriteNumber("pad_token_id", ids.EndOfText);
        if (qwen is not null)
        {
            json.WriteString("hidden_act", "silu");
            json.WriteBoolean("tie_word_embeddings", config.TieWordEmbeddings);
            json.WriteBoolean("use_sliding_window", false);
            if (BuiltFamily.Of(config.Architecture).Qwen3Fields)
            {
                json.WriteBoolean("attention_bias", config.QkvBias);
                json.WriteNumber("head_dim", config.HeadDim);
            }

            if (qwen.BlockSizeField is { } blockField)
            {
                json.WriteNumber(blockField, config.AttentionBlockLength);
            }

            return;
        }

        json.WriteBoolean("include_bias", false);
        json.WriteBoolean("include_qkv_bias", false);
        json.WriteBoolean("weight_tying", false);
        json.WriteString("activation_type", "silu");
        json.WriteString("block_type", "llama");
        json.WriteString("layer_norm_type", "rms");
    });

    /// <summary><c>tokenizer_config.json</c>: special tokens by content, the LLaMA-3 chat template, the length limit.</summary>
    public static void WriteTokenizerConfig(string path, BuilderOptions options) => Write(path, json =>
    {
        json.WriteString("tokenizer_class", "PreTrainedTokenizerFast");
        json.WriteString("bos_token", TinyModelTokens.StartOfText);
        json.WriteString("eos_token", TinyModelTokens.EndOfText);
        json.WriteString("pad_token", TinyModelTokens.EndOfText);
        json.WriteString("mask_token", TinyModelTokens.Mask);
        json.WriteBoolean("add_bos_token", false);
        json.WriteBoolean("add_eos_token", false);
        json.WriteBoolean("clean_up_tokenization_spaces", false);
        json.WriteNumber("model_max_length", options.MaxSequenceLength);
        json.WriteString("chat_template", TinyModelTokens.ChatTemplate);
    });

    /// <summary>
    /// <c>generation_config.json</c>: generation ends at EOS or end-of-turn; LLaDA-style defaults of 128 new
    /// tokens in blocks of 32 (a block-diffusion model's own attention block), one token committed per step, greedy;
    /// for Dream also its schedule's final timestep, <c>eps</c> 1e-3, as the Dream-v0 checkpoints ship it.
    /// </summary>
    public static void WriteGenerationConfig(string path, ModelConfig config, SpecialTokenIds ids) => Write(path, json =>
    {
        json.WriteNumber("bos_token_id", ids.StartOfText);
        json.WriteStartArray("eos_token_id");
        json.WriteNumberValue(ids.EndOfText);
        json.WriteNumberValue(ids.EndOfTurn);
        json.WriteEndArray();
        json.WriteNumber("pad_token_id", ids.EndOfText);
        json.WriteNumber("max_new_tokens", 128);
        json.WriteNumber("steps", 128);
        json.WriteNumber("block_length", config.AttentionBlockLength > 0 ? config.AttentionBlockLength : 32);
        WriteFloat(json, "temperature", 0.0);
        if (config.Architecture == ModelArchitecture.Dream)
        {
            WriteFloat(json, "eps", DiffusionPlan.DefaultEps);
        }
    });

    private static void Write(string path, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        File.WriteAllBytes(path, buffer.ToArray());
    }

    /// <summary>
    /// Writes a float the way Python's <c>json</c> does (<c>500000.0</c>, <c>0.001</c>, <c>1e-05</c>: positional down
    /// to 1e-4), so the files read like Hugging Face's.
    /// </summary>
    private static void WriteFloat(Utf8JsonWriter json, string name, double value)
    {
        string text = value == Math.Floor(value) && Math.Abs(value) < 1e16 ? value.ToString("0.0", CultureInfo.InvariantCulture)
            : Math.Abs(value) >= 1e-4 ? value.ToString("R", CultureInfo.InvariantCulture)
            : value.ToString("0.###############e-00", CultureInfo.InvariantCulture);
        json.WritePropertyName(name);
        json.WriteRawValue(text);
    }
}
