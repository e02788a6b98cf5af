using System.Text.Json.Nodes;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Tests.Tokenization;

/// <summary>Small handwritten byte-level BPE <c>tokenizer.json</c> documents for the tokenizer tests.</summary>
internal static class TokenizerFixtures
{
    /// <summary>LLaMA-3's split pattern: digits in groups of up to three, words with one leading non-letter.</summary>
    public const string Llama3Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>The merges of the default fixture, by rank.</summary>
    public static readonly string[][] DefaultMerges =
    [
        ["Ġ", "t"],
        ["h", "e"],
        ["Ġt", "he"],
        ["1", "2"],
        ["3", "4"],
        ["12", "3"],
        ["4", "5"],
        ["i", "n"],
        ["Ġ", "in"],
    ];

    /// <summary>
    /// GPT-2's <c>bytes_to_unicode</c>, written out independently of the engine: the printable bytes keep their
    /// character, the rest get U+0100 onwards; the list order is GPT-2's vocabulary order.
    /// </summary>
    public static IReadOnlyList<string> ByteSymbols()
    {
        var printable = new List<int>();
        printable.AddRange(Enumerable.Range('!', '~' - '!' + 1));
        printable.AddRange(Enumerable.Range('¡', '¬' - '¡' + 1));
        printable.AddRange(Enumerable.Range('®', 'ÿ' - '®' + 1));
        var symbols = printable.Select(b => ((char)b).ToString()).ToList();
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            if (!printable.Contains(b))
            {
                symbols.Add(((char)(256 + next++)).ToString());
            }
        }

        return symbols;
    }

    /// <summary>The symbol GPT-2 uses for one byte.</summary>
    public static string Symbol(byte value)
    {
        if (value is (>= (byte)'!' and <= (byte)'~') or (>= 0xA1 and <= 0xAC) or (>= 0xAE and <= 0xFF))
        {
            return ((char)value).ToString();
        }

        int rank = 0;
        for (int b = 0; b < value; b++)
        {
            if (!(b is (>= '!' and <= '~') or (>= 0xA1 and <= 0xAC) or (>= 0xAE and <= 0xFF)))
            {
                rank++;
            }
        }

        return ((char)(256 + rank)).ToString();
    }

    /// <summary>
    /// A tokenizer.json: the 256 byte symbols (ids 0–255), one token per merge (ids 256…), then the added tokens
    /// <c>&lt;|endoftext|&gt;</c> and <c>&lt;|eot_id|&gt;</c> (special) and <c>&lt;extra&gt;</c> (not special).
    /// </summary>
    public static JsonObject Build(string[][]? merges = null, bool arrayMerges = false, JsonNode? preTokenizer = null)
    {
        merges ??= DefaultMerges;
        var vocab = new JsonObject();
        IReadOnlyList<string> symbols = ByteSymbols();
        for (int i = 0; i < symbols.Count; i++)
        {
            vocab[symbols[i]] = i;
        }

        foreach (string[] merge in merges)
        {
            string merged = merge[0] + merge[1];
            if (!vocab.ContainsKey(merged))
            {
                vocab[merged] = vocab.Count;
            }
        }

        int next = vocab.Count;
        var mergeArray = new JsonArray();
        foreach (string[] merge in merges)
        {
            mergeArray.Add(arrayMerges ? new JsonArray(merge[0], merge[1]) : JsonValue.Create($"{merge[0]} {merge[1]}"));
        }

        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(
                AddedToken(next, "<|endoftext|>", special: true),
                AddedToken(next + 1, "<|eot_id|>", special: true),
                AddedToken(next + 2, "<extra>", special: false)),
            ["normalizer"] = null,
            ["pre_tokenizer"] = preTokenizer ?? ByteLevel(useRegex: true),
            ["post_processor"] = null,
            ["decoder"] = ByteLevel(useRegex: true),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["vocab"] = vocab,
                ["merges"] = mergeArray,
            },
        };
    }

    /// <summary>A ByteLevel pre-tokenizer or decoder node.</summary>
    public static JsonObject ByteLevel(bool useRegex, bool addPrefixSpace = false) => new()
    {
        ["type"] = "ByteLevel",
        ["add_prefix_space"] = addPrefixSpace,
        ["trim_offsets"] = true,
        ["use_regex"] = useRegex,
    };

    /// <summary>LLaMA-3/Qwen2's pre-tokenizer: a Split on <paramref name="pattern"/>, then ByteLevel without its own regex.</summary>
    public static JsonObject SplitThenByteLevel(string pattern) => new()
    {
        ["type"] = "Sequence",
        ["pretokenizers"] = new JsonArray(
            new JsonObject
            {
                ["type"] = "Split",
                ["pattern"] = new JsonObject { ["Regex"] = pattern },
                ["behavior"] = "Isolated",
                ["invert"] = false,
            },
            ByteLevel(useRegex: false)),
    };

    /// <summary>An <c>added_tokens</c> entry.</summary>
    public static JsonObject AddedToken(int id, string content, bool special, bool lstrip = false) => new()
    {
        ["id"] = id,
        ["content"] = content,
        ["single_word"] = false,
        ["lstrip"] = lstrip,
        ["rstrip"] = false,
        ["normalized"] = false,
        ["special"] = special,
    };

    /// <summary>Loads a document through the public file entry point.</summary>
    public static HuggingFaceTokenizer Load(JsonNode document)
    {
        using var file = new TempFile("tokenizer.json", document.ToJsonString());
        return HuggingFaceTokenizer.Load(file.Path);
    }
}
