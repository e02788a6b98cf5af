using System.Text.Json;
using System.Text.RegularExpressions;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Tokenization;

/// <summary>
/// Reads the parts of a Hugging Face <c>tokenizer.json</c> that a byte-level BPE tokenizer needs, and rejects
/// everything else with a <see cref="CheckpointException"/> that names the field.
/// </summary>
internal static class TokenizerJsonParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 128 };

    /// <summary>Parses <paramref name="json"/>, read from <paramref name="path"/> (used in messages).</summary>
    public static TokenizerDefinition Parse(string json, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, null, $"malformed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(path, null, "the top level is not a JSON object");
            }

            var context = new JsonFieldReader(path);
            JsonElement model = context.RequireObject(root, "model", "model");
            CheckModelType(context, model);

            Dictionary<string, int> vocabulary = ReadVocabulary(context, model);
            List<string> merges = ReadMerges(context, model, vocabulary);
            List<AddedToken> added = ReadAddedTokens(context, root);

            var stages = new List<Regex>();
            bool byteLevel = false;
            bool addPrefixSpace = false;
            if (!root.TryGetProperty("pre_tokenizer", out JsonElement preTokenizer) || preTokenizer.ValueKind == JsonValueKind.Null)
            {
                throw new CheckpointException(path, "pre_tokenizer", "is missing; a byte-level BPE tokenizer needs a ByteLevel pre-tokenizer");
            }

            ReadPreTokenizer(context, preTokenizer, "pre_tokenizer", stages, ref byteLevel, ref addPrefixSpace);
            if (!byteLevel)
            {
                throw new CheckpointException(path, "pre_tokenizer", "has no ByteLevel step; only byte-level BPE tokenizers are supported");
            }

            bool nfc = false;
            if (root.TryGetProperty("normalizer", out JsonElement normalizer))
            {
                ReadNormalizer(context, normalizer, "normalizer", ref nfc);
            }

            if (root.TryGetProperty("decoder", out JsonElement decoder))
            {
                CheckDecoder(context, decoder, "decoder");
            }

            bool ignoreMerges = model.TryGetProperty("ignore_merges", out JsonElement ignore) && context.ReadBool(ignore, "model.ignore_merges");

            CheckVocabularyIsByteLevel(context, vocabulary, added);
            PromptSpecialTokens? postProcessor = PostProcessorReader.Read(context, root, new HashSet<int>(vocabulary.Values.Concat(added.Select(t => t.Id))));

            return new TokenizerDefinition
            {
                Vocabulary = vocabulary,
                Merges = merges,
                AddedTokens = added,
                PreTokenizerStages = stages,
                AddPrefixSpace = addPrefixSpace,
                NormalizeNfc = nfc,
                IgnoreMerges = ignoreMerges,
                PostProcessor = postProcessor,
            };
        }
    }

    private static void CheckModelType(JsonFieldReader context, JsonElement model)
    {
        foreach (string field in (string[])["continuing_subword_prefix", "end_of_word_suffix"])
        {
            if (model.TryGetProperty(field, out JsonElement affix) && affix.ValueKind == JsonValueKind.String && affix.GetString()!.Length > 0)
            {
                throw new CheckpointException(context.Path, $"model.{field}", "is set; byte-level BPE does not use sub-word affixes");
            }
        }

        if (model.TryGetProperty("type", out JsonElement type) && type.ValueKind != JsonValueKind.Null)
        {
            string name = context.ReadString(type, "model.type");
            if (name != "BPE")
            {
                throw new CheckpointException(context.Path, "model.type", $"is '{name}'; only byte-level BPE models are supported");
            }

            return;
        }

        // Files written before the model carried a "type" tag (e.g. GPT-2's): BPE is the only model with merges.
        if (!model.TryGetProperty("merges", out _))
        {
            throw new CheckpointException(context.Path, "model.type", "is missing and the model has no merges; only byte-level BPE models are supported");
        }
    }

    private static Dictionary<string, int> ReadVocabulary(JsonFieldReader context, JsonElement model)
    {
        JsonElement vocab = context.RequireObject(model, "vocab", "model.vocab");
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new Dictionary<int, string>();
        foreach (JsonProperty entry in vocab.EnumerateObject())
        {
            string field = $"model.vocab[\"{entry.Name}\"]";
            int id = context.ReadId(entry.Value, field);
            if (!vocabulary.TryAdd(entry.Name, id))
            {
                throw new CheckpointException(context.Path, field, "appears twice");
            }

            if (!ids.TryAdd(id, entry.Name))
            {
                throw new CheckpointException(context.Path, field, $"has id {id}, which '{ids[id]}' already has");
            }
        }

        if (vocabulary.Count == 0)
        {
            throw new CheckpointException(context.Path, "model.vocab", "is empty");
        }

        return vocabulary;
    }

    private static List<string> ReadMerges(JsonFieldReader context, JsonElement model, Dictionary<string, int> vocabulary)
    {
        if (!model.TryGetProperty("merges", out JsonElement mergesElement))
        {
            throw new CheckpointException(context.Path, "model.merges", "is missing");
        }

        if (mergesElement.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException(context.Path, "model.merges", $"is a JSON {JsonFieldReader.Describe(mergesElement)}, not an array");
        }

        var merges = new List<string>(mergesElement.GetArrayLength());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (JsonElement merge in mergesElement.EnumerateArray())
        {
            string field = $"model.merges[{index}]";
            (string left, string right) = ReadMerge(context, merge, field);
            if (!vocabulary.ContainsKey(left))
            {
                throw new CheckpointException(context.Path, field, $"merges '{left}', which is not in model.vocab");
            }

            if (!vocabulary.ContainsKey(right))
            {
                throw new CheckpointException(context.Path, field, $"merges '{right}', which is not in model.vocab");
            }

            if (!vocabulary.ContainsKey(left + right))
            {
                throw new CheckpointException(context.Path, field, $"produces '{left + right}', which is not in model.vocab");
            }

            string joined = left + " " + right;
            if (seen.Add(joined))
            {
                merges.Add(joined);
            }

            index++;
        }

        return merges;
    }

    private static (string Left, string Right) ReadMerge(JsonFieldReader context, JsonElement merge, string field)
    {
        switch (merge.ValueKind)
        {
            case JsonValueKind.String:
                string[] parts = merge.GetString()!.Split(' ');
                if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                {
                    throw new CheckpointException(context.Path, field, "is not two tokens separated by one space");
                }

                return (parts[0], parts[1]);

            case JsonValueKind.Array:
                if (merge.GetArrayLength() != 2)
                {
                    throw new CheckpointException(context.Path, field, "is not a pair of tokens");
                }

                string left = context.ReadString(merge[0], field + "[0]");
                string right = context.ReadString(merge[1], field + "[1]");
                if (left.Length == 0 || right.Length == 0)
                {
                    throw new CheckpointException(context.Path, field, "has an empty token");
                }

                if (left.Contains(' ', StringComparison.Ordinal) || right.Contains(' ', StringComparison.Ordinal))
                {
                    throw new CheckpointException(context.Path, field, "has a token with a space, which a byte-level vocabulary cannot hold");
                }

                return (left, right);

            default:
                throw new CheckpointException(context.Path, field, $"is a JSON {JsonFieldReader.Describe(merge)}; expected \"a b\" or [\"a\", \"b\"]");
        }
    }

    private static List<AddedToken> ReadAddedTokens(JsonFieldReader context, JsonElement root)
    {
        var added = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out JsonElement array) || array.ValueKind == JsonValueKind.Null)
        {
            return added;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException(context.Path, "added_tokens", $"is a JSON {JsonFieldReader.Describe(array)}, not an array");
        }

        var contents = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (JsonElement token in array.EnumerateArray())
        {
            string field = $"added_tokens[{index}]";
            if (token.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(context.Path, field, $"is a JSON {JsonFieldReader.Describe(token)}, not an object");
            }

            if (!token.TryGetProperty("id", out JsonElement id))
            {
                throw new CheckpointException(context.Path, field + ".id", "is missing");
            }

            if (!token.TryGetProperty("content", out JsonElement content))
            {
                throw new CheckpointException(context.Path, field + ".content", "is missing");
            }

            string text = context.ReadString(content, field + ".content");
            if (text.Length == 0)
            {
                throw new CheckpointException(context.Path, field + ".content", "is empty");
            }

            if (!contents.Add(text))
            {
                throw new CheckpointException(context.Path, field + ".content", $"'{text}' is added twice");
            }

            added.Add(new AddedToken(
                context.ReadId(id, field + ".id"),
                text,
                OptionalBool(context, token, "special", field),
                OptionalBool(context, token, "lstrip", field),
                OptionalBool(context, token, "rstrip", field),
                OptionalBool(context, token, "single_word", field)));
            index++;
        }

        return added;
    }

    private static bool OptionalBool(JsonFieldReader context, JsonElement parent, string name, string field) =>
        parent.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null && context.ReadBool(value, $"{field}.{name}");

    private static void ReadPreTokenizer(JsonFieldReader context, JsonElement element, string field, List<Regex> stages, ref bool byteLevel, ref bool addPrefixSpace)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException(context.Path, field, $"is a JSON {JsonFieldReader.Describe(element)}, not an object");
        }

        string type = context.ReadString(context.Require(element, "type", field + ".type"), field + ".type");
        switch (type)
        {
            case "Sequence":
                JsonElement steps = context.Require(element, "pretokenizers", field + ".pretokenizers");
                if (steps.ValueKind != JsonValueKind.Array)
                {
                    throw new CheckpointException(context.Path, field + ".pretokenizers", "is not an array");
                }

                int index = 0;
                foreach (JsonElement step in steps.EnumerateArray())
                {
                    ReadPreTokenizer(context, step, $"{field}.pretokenizers[{index++}]", stages, ref byteLevel, ref addPrefixSpace);
                }

                break;

            case "ByteLevel":
                byteLevel = true;
                addPrefixSpace |= OptionalBool(context, element, "add_prefix_space", field);
                bool useRegex = !element.TryGetProperty("use_regex", out JsonElement regexFlag) || regexFlag.ValueKind == JsonValueKind.Null
                    || context.ReadBool(regexFlag, field + ".use_regex");
                if (useRegex)
                {
                    stages.Add(PreTokenizerPatterns.Gpt2Regex());
                }

                break;

            case "Split":
                stages.Add(ReadSplit(context, element, field));
                break;

            case "Digits":
                bool individual = OptionalBool(context, element, "individual_digits", field);
                stages.Add(new Regex(individual ? @"\p{N}" : @"\p{N}+", RegexOptions.CultureInvariant));
                break;

            default:
                throw new CheckpointException(context.Path, field + ".type", $"is '{type}'; supported pre-tokenizers are ByteLevel, Split, Digits and Sequence");
        }
    }

    private static Regex ReadSplit(JsonFieldReader context, JsonElement element, string field)
    {
        JsonElement pattern = context.RequireObject(element, "pattern", field + ".pattern");
        string source;
        string patternField;
        if (pattern.TryGetProperty("Regex", out JsonElement regex))
        {
            patternField = field + ".pattern.Regex";
            source = context.ReadString(regex, patternField);
        }
        else if (pattern.TryGetProperty("String", out JsonElement literal))
        {
            patternField = field + ".pattern.String";
            source = Regex.Escape(context.ReadString(literal, patternField));
        }
        else
        {
            throw new CheckpointException(context.Path, field + ".pattern", "has neither 'Regex' nor 'String'");
        }

        if (element.TryGetProperty("behavior", out JsonElement behavior) && behavior.ValueKind != JsonValueKind.Null)
        {
            string name = context.ReadString(behavior, field + ".behavior");
            if (name != "Isolated")
            {
                throw new CheckpointException(context.Path, field + ".behavior", $"is '{name}'; only 'Isolated' is supported");
            }
        }

        if (OptionalBool(context, element, "invert", field))
        {
            throw new CheckpointException(context.Path, field + ".invert", "is true; inverted splits are not supported");
        }

        try
        {
            return new Regex(source, RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException(context.Path, patternField, $"is not a .NET regular expression: {e.Message}", e);
        }
    }

    private static void ReadNormalizer(JsonFieldReader context, JsonElement element, string field, ref bool nfc)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException(context.Path, field, $"is a JSON {JsonFieldReader.Describe(element)}, not an object");
        }

        string type = context.ReadString(context.Require(element, "type", field + ".type"), field + ".type");
        switch (type)
        {
            case "NFC":
                nfc = true;
                break;

            case "Sequence":
                JsonElement steps = context.Require(element, "normalizers", field + ".normalizers");
                if (steps.ValueKind != JsonValueKind.Array)
                {
                    throw new CheckpointException(context.Path, field + ".normalizers", "is not an array");
                }

                int index = 0;
                foreach (JsonElement step in steps.EnumerateArray())
                {
                    ReadNormalizer(context, step, $"{field}.normalizers[{index++}]", ref nfc);
                }

                break;

            default:
                throw new CheckpointException(context.Path, field + ".type", $"is '{type}'; only NFC normalisation is supported");
        }
    }

    private static void CheckDecoder(JsonFieldReader context, JsonElement element, string field)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException(context.Path, field, $"is a JSON {JsonFieldReader.Describe(element)}, not an object");
        }

        string type = context.ReadString(context.Require(element, "type", field + ".type"), field + ".type");
        if (type == "ByteLevel")
        {
            return;
        }

        if (type == "Sequence" && element.TryGetProperty("decoders", out JsonElement steps) && steps.ValueKind == JsonValueKind.Array
            && steps.GetArrayLength() == 1)
        {
            CheckDecoder(context, steps[0], field + ".decoders[0]");
            return;
        }

        throw new CheckpointException(context.Path, field + ".type", $"is '{type}'; a byte-level BPE tokenizer needs the ByteLevel decoder");
    }

    private static void CheckVocabularyIsByteLevel(JsonFieldReader context, Dictionary<string, int> vocabulary, List<AddedToken> added)
    {
        foreach (string symbol in ByteLevelAlphabet.Symbols)
        {
            if (!vocabulary.ContainsKey(symbol))
            {
                int value = ByteLevelAlphabet.ToByte(symbol[0]);
                throw new CheckpointException(context.Path, "model.vocab",
                    $"lacks the byte symbol '{symbol}' (byte 0x{value:X2}); a byte-level vocabulary needs all 256");
            }
        }

        var addedContents = new HashSet<string>(added.Select(a => a.Content), StringComparer.Ordinal);
        foreach (string token in vocabulary.Keys)
        {
            if (!ByteLevelAlphabet.IsByteLevel(token) && !addedContents.Contains(token))
            {
                throw new CheckpointException(context.Path, $"model.vocab[\"{token}\"]", "is not made of byte-level symbols");
            }
        }
    }
}
