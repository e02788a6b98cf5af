using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Tokenization;

/// <summary>
/// A byte-level BPE tokenizer (GPT-2, LLaMA-3, Qwen2 style) loaded from a Hugging Face <c>tokenizer.json</c>.
/// </summary>
/// <remarks>
/// Encoding follows the Hugging Face pipeline: added tokens written literally in the text are cut out first and
/// become their ids; each remaining segment is optionally NFC-normalised, split by the pre-tokenizer's regular
/// expressions (the <c>Split</c> pattern when the file has one, GPT-2's otherwise), and each piece is turned into
/// ids by Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> running at byte level. Decoding maps ids back to
/// bytes and then to UTF-8 text; incomplete byte sequences become U+FFFD. Instances are immutable and may be
/// shared between threads.
/// <para>
/// An NFC normaliser (Qwen2, Dream) is applied with <see cref="string.Normalize(NormalizationForm)"/>, which
/// composes nothing when the process runs with InvariantGlobalization; text that is already NFC, as nearly all
/// text is, encodes the same either way.
/// </para>
/// </remarks>
public sealed class HuggingFaceTokenizer : ITextTokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly IReadOnlyDictionary<string, int> _vocabulary;
    private readonly Dictionary<string, AddedToken> _addedByContent;
    private readonly Dictionary<int, AddedToken> _addedById;
    private readonly Regex? _addedTokenPattern;
    private readonly IReadOnlyList<Regex> _stages;
    private readonly bool _addPrefixSpace;
    private readonly bool _normalizeNfc;
    private readonly bool _ignoreMerges;

    private HuggingFaceTokenizer(TokenizerDefinition definition)
    {
        _vocabulary = definition.Vocabulary;
        _stages = definition.PreTokenizerStages;
        _addPrefixSpace = definition.AddPrefixSpace;
        _normalizeNfc = definition.NormalizeNfc;
        _ignoreMerges = definition.IgnoreMerges;
        PostProcessor = definition.PostProcessor;
        _addedByContent = definition.AddedTokens.ToDictionary(t => t.Content, StringComparer.Ordinal);
        _addedById = [];
        foreach (AddedToken token in definition.AddedTokens)
        {
            _addedById.TryAdd(token.Id, token);
        }

        _addedTokenPattern = BuildAddedTokenPattern(definition.AddedTokens);
        _bpe = BpeTokenizer.Create(new BpeOptions(definition.Vocabulary)
        {
            Merges = definition.Merges,
            ByteLevel = true,
        });

        int maxId = definition.Vocabulary.Values.Max();
        foreach (AddedToken token in definition.AddedTokens)
        {
            maxId = Math.Max(maxId, token.Id);
        }

        VocabSize = maxId + 1;
    }

    /// <inheritdoc/>
    /// <remarks>One more than the largest id of the vocabulary or the added tokens.</remarks>
    public int VocabSize { get; }

    /// <summary>
    /// The special tokens the file's <c>post_processor</c> puts around an encoded text, null when it has none
    /// (<see cref="Encode"/> adds none; a served model decides with <see cref="PromptSpecialTokens.Resolve"/>).
    /// </summary>
    public PromptSpecialTokens? PostProcessor { get; }

    /// <summary>
    /// Loads a <c>tokenizer.json</c>. Throws <see cref="CheckpointException"/> naming the file and the field when the
    /// file is missing, is not JSON, or describes anything but a byte-level BPE tokenizer (WordPiece, Unigram,
    /// SentencePiece-style BPE), or when its vocabulary and merges disagree.
    /// </summary>
    public static HuggingFaceTokenizer Load(string tokenizerJsonPath)
    {
        ArgumentNullException.ThrowIfNull(tokenizerJsonPath);
        string json;
        try
        {
            json = File.ReadAllText(tokenizerJsonPath, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(tokenizerJsonPath, null, $"cannot be read: {e.Message}", e);
        }

        return Parse(json, tokenizerJsonPath);
    }

    /// <summary>Builds a tokenizer from the text of a <c>tokenizer.json</c>; <paramref name="sourcePath"/> names it in errors.</summary>
    internal static HuggingFaceTokenizer Parse(string json, string sourcePath)
    {
        TokenizerDefinition definition = TokenizerJsonParser.Parse(json, sourcePath);
        try
        {
            return new HuggingFaceTokenizer(definition);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new CheckpointException(sourcePath, "model", $"is rejected by the BPE implementation: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        int position = 0;
        if (_addedTokenPattern is not null)
        {
            foreach (ValueMatch match in _addedTokenPattern.EnumerateMatches(text))
            {
                EncodeSegment(text.AsSpan(position, match.Index - position), ids);
                string content = StripToContent(text.AsSpan(match.Index, match.Length));
                ids.Add(_addedByContent[content].Id);
                position = match.Index + match.Length;
            }
        }

        EncodeSegment(text.AsSpan(position), ids);
        return ids;
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var run = new List<int>();
        foreach (int id in ids)
        {
            if (!_addedById.TryGetValue(id, out AddedToken? added))
            {
                run.Add(id);
                continue;
            }

            if (skipSpecialTokens && added.Special)
            {
                continue;
            }

            FlushRun(run, text);
            text.Append(added.Content);
        }

        FlushRun(run, text);
        return text.ToString();
    }

    /// <inheritdoc/>
    /// <remarks>Added tokens are looked up by their text; vocabulary tokens by their byte-level form (<c>Ġthe</c>).</remarks>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_addedByContent.TryGetValue(token, out AddedToken? added))
        {
            return added.Id;
        }

        return _vocabulary.TryGetValue(token, out int id) ? id : null;
    }

    /// <inheritdoc/>
    public bool IsSpecial(int id) => _addedById.TryGetValue(id, out AddedToken? added) && added.Special;

    private void FlushRun(List<int> run, StringBuilder text)
    {
        if (run.Count > 0)
        {
            text.Append(_bpe.Decode(run, considerSpecialTokens: false));
            run.Clear();
        }
    }

    private void EncodeSegment(ReadOnlySpan<char> segment, List<int> ids)
    {
        if (segment.IsEmpty)
        {
            return;
        }

        string text = segment.ToString();
        if (_normalizeNfc)
        {
            text = text.Normalize(NormalizationForm.FormC);
        }

        if (_addPrefixSpace && text[0] != ' ')
        {
            text = " " + text;
        }

        List<(int Start, int Length)> pieces = [(0, text.Length)];
        foreach (Regex stage in _stages)
        {
            pieces = Split(text, pieces, stage);
        }

        foreach ((int start, int length) in pieces)
        {
            ReadOnlySpan<char> piece = text.AsSpan(start, length);
            if (_ignoreMerges && _vocabulary.TryGetValue(ByteLevelAlphabet.Encode(piece), out int whole))
            {
                ids.Add(whole);
                continue;
            }

            ids.AddRange(_bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));
        }
    }

    /// <summary>Splits each piece by <paramref name="pattern"/>, keeping both the matches and the text between them.</summary>
    private static List<(int Start, int Length)> Split(string text, List<(int Start, int Length)> pieces, Regex pattern)
    {
        var result = new List<(int Start, int Length)>(pieces.Count * 2);
        foreach ((int start, int length) in pieces)
        {
            int position = 0;
            foreach (ValueMatch match in pattern.EnumerateMatches(text.AsSpan(start, length)))
            {
                if (match.Length == 0)
                {
                    continue;
                }

                if (match.Index > position)
                {
                    result.Add((start + position, match.Index - position));
                }

                result.Add((start + match.Index, match.Length));
                position = match.Index + match.Length;
            }

            if (position < length)
            {
                result.Add((start + position, length - position));
            }
        }

        return result;
    }

    private string StripToContent(ReadOnlySpan<char> match)
    {
        string trimmed = match.ToString();
        if (_addedByContent.ContainsKey(trimmed))
        {
            return trimmed;
        }

        // lstrip/rstrip tokens absorb the whitespace around them; the token itself is what remains.
        foreach (string candidate in (string[])[trimmed.TrimStart(), trimmed.TrimEnd(), trimmed.Trim()])
        {
            if (_addedByContent.ContainsKey(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"Added-token match '{trimmed}' has no token.");
    }

    private static Regex? BuildAddedTokenPattern(IReadOnlyList<AddedToken> tokens)
    {
        if (tokens.Count == 0)
        {
            return null;
        }

        // Longest first, so that the alternation finds the leftmost-longest token as Hugging Face's matcher does.
        IEnumerable<string> alternatives = tokens
            .OrderByDescending(t => t.Content.Length)
            .ThenBy(t => t.Content, StringComparer.Ordinal)
            .Select(t =>
            {
                string body = Regex.Escape(t.Content);
                if (t.SingleWord)
                {
                    body = $@"(?<!\w){body}(?!\w)";
                }

                return (t.LeftStrip ? @"\s*" : string.Empty) + body + (t.RightStrip ? @"\s*" : string.Empty);
            });
        return new Regex(string.Join('|', alternatives), RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }
}
