using System.Text.Encodings.Web;
using System.Text.Json;

namespace Quicksilver.Engine.Tokenization;

/// <summary>
/// Writes a Hugging Face <c>tokenizer.json</c> for a byte-level BPE model: GPT-2's ByteLevel pre-tokenizer
/// (<c>add_prefix_space</c> false, <c>use_regex</c> true) and decoder, no normaliser, no post-processor, the
/// merges in the <c>"a b"</c> form every <c>tokenizers</c> release reads, and the special tokens as added tokens
/// with ids following the base vocabulary. The output is deterministic (LF line ends, fixed field order).
/// </summary>
public static class TokenizerJsonWriter
{
    /// <summary>Writes the tokenizer to <paramref name="path"/>; see <see cref="ToJson"/>.</summary>
    public static void Write(string path, TrainedBpe model, IReadOnlyList<string> specialTokens)
    {
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllBytes(path, ToUtf8(model, specialTokens));
    }

    /// <summary>
    /// The <c>tokenizer.json</c> text for <paramref name="model"/>; special token <c>i</c> gets id
    /// <c>model.Vocabulary.Count + i</c>.
    /// </summary>
    public static string ToJson(TrainedBpe model, IReadOnlyList<string> specialTokens) =>
        System.Text.Encoding.UTF8.GetString(ToUtf8(model, specialTokens));

    private static byte[] ToUtf8(TrainedBpe model, IReadOnlyList<string> specialTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(specialTokens);
        Validate(model, specialTokens);

        using var buffer = new MemoryStream();
        var options = new JsonWriterOptions
        {
            Indented = true,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            json.WriteStartObject();
            json.WriteString("version", "1.0");
            json.WriteNull("truncation");
            json.WriteNull("padding");

            json.WriteStartArray("added_tokens");
            for (int i = 0; i < specialTokens.Count; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("id", model.Vocabulary.Count + i);
                json.WriteString("content", specialTokens[i]);
                json.WriteBoolean("single_word", false);
                json.WriteBoolean("lstrip", false);
                json.WriteBoolean("rstrip", false);
                json.WriteBoolean("normalized", false);
                json.WriteBoolean("special", true);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNull("normalizer");
            json.WritePropertyName("pre_tokenizer");
            WriteByteLevel(json, addPrefixSpace: false);
            json.WriteNull("post_processor");
            json.WritePropertyName("decoder");
            WriteByteLevel(json, addPrefixSpace: true);

            json.WriteStartObject("model");
            json.WriteString("type", "BPE");
            json.WriteNull("dropout");
            json.WriteNull("unk_token");
            json.WriteNull("continuing_subword_prefix");
            json.WriteNull("end_of_word_suffix");
            json.WriteBoolean("fuse_unk", false);
            json.WriteStartObject("vocab");
            for (int id = 0; id < model.Vocabulary.Count; id++)
            {
                json.WriteNumber(model.Vocabulary[id], id);
            }

            json.WriteEndObject();
            json.WriteStartArray("merges");
            foreach (BpeMerge merge in model.Merges)
            {
                json.WriteStringValue(merge.Left + " " + merge.Right);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>
    /// The ByteLevel step as Hugging Face serialises it. The decoder ignores <c>add_prefix_space</c>; Hugging Face
    /// writes true there for GPT-2, and so do we.
    /// </summary>
    private static void WriteByteLevel(Utf8JsonWriter json, bool addPrefixSpace)
    {
        json.WriteStartObject();
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", addPrefixSpace);
        json.WriteBoolean("trim_offsets", true);
        json.WriteBoolean("use_regex", true);
        json.WriteEndObject();
    }

    private static void Validate(TrainedBpe model, IReadOnlyList<string> specialTokens)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        foreach (string token in model.Vocabulary)
        {
            if (!ByteLevelAlphabet.IsByteLevel(token))
            {
                throw new ArgumentException($"Vocabulary token '{token}' is not made of byte-level symbols.", nameof(model));
            }

            if (!tokens.Add(token))
            {
                throw new ArgumentException($"Vocabulary token '{token}' appears twice.", nameof(model));
            }
        }

        for (int i = 0; i < ByteLevelAlphabet.Size; i++)
        {
            if (model.Vocabulary.Count <= i || model.Vocabulary[i] != ByteLevelAlphabet.Symbols[i])
            {
                throw new ArgumentException("The vocabulary must start with the 256 byte symbols in GPT-2's order.", nameof(model));
            }
        }

        foreach (BpeMerge merge in model.Merges)
        {
            if (!tokens.Contains(merge.Left) || !tokens.Contains(merge.Right) || !tokens.Contains(merge.Merged))
            {
                throw new ArgumentException($"Merge '{merge.Left} {merge.Right}' uses or makes a token outside the vocabulary.", nameof(model));
            }
        }

        var specials = new HashSet<string>(StringComparer.Ordinal);
        foreach (string special in specialTokens)
        {
            if (string.IsNullOrEmpty(special) || !specials.Add(special))
            {
                throw new ArgumentException($"Special token '{special}' is empty or appears twice.", nameof(specialTokens));
            }
        }
    }
}
