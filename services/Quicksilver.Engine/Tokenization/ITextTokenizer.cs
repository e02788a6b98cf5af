namespace Quicksilver.Engine.Tokenization;

/// <summary>Text ↔ token ids for one model, with the special tokens the engine and the chat templates need.</summary>
public interface ITextTokenizer
{
    /// <summary>Number of ids the tokenizer can produce (base vocabulary plus added tokens).</summary>
    int VocabSize { get; }

    /// <summary>
    /// Tokenises text. Special tokens written literally in the text (e.g. <c>&lt;|eot_id|&gt;</c>) become their ids,
    /// as Hugging Face tokenizers do for added tokens; no BOS is added.
    /// </summary>
    IReadOnlyList<int> Encode(string text);

    /// <summary>Turns ids back into text; special tokens are left out when <paramref name="skipSpecialTokens"/> is set.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true);

    /// <summary>The id of a token given by its exact content, or null when the vocabulary has none.</summary>
    int? TokenToId(string token);

    /// <summary>Whether the id is a special (added, <c>"special": true</c>) token.</summary>
    bool IsSpecial(int id);
}
