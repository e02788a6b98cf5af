using Quicksilver.Engine.Tokenization;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Completions;

/// <summary>
/// Pairs answer tokens with the text actually sent: a token is released with the delta whose text reaches its offset,
/// so tokens held back by the stop filter wait, and tokens after a stop sequence are never sent.
/// </summary>
internal sealed class TokenLogprobTracker(ITextTokenizer tokenizer, int offsetBase)
{
    private readonly Queue<(string Token, float Logprob, int Offset)> _pending = new();
    private readonly IncrementalDetokenizer _text = new(tokenizer);
    private int _nextOffset;
    private int _sent;

    public void Add(IReadOnlyList<int> tokens, IReadOnlyList<float> logprobs)
    {
        if (logprobs.Count != tokens.Count)
        {
            throw new InvalidOperationException($"The engine reported {logprobs.Count} log-probabilities for {tokens.Count} tokens.");
        }

        for (int i = 0; i < tokens.Count; i++)
        {
            string text = tokenizer.Decode([tokens[i]], skipSpecialTokens: false);
            _pending.Enqueue((text, logprobs[i], _nextOffset));

            // Offsets count whole characters: a token that ends inside a UTF-8 character starts where that character does.
            _nextOffset += _text.Append([tokens[i]]).Length;
        }
    }

    /// <summary>
    /// The tokens that start within the text sent so far, once <paramref name="sentText"/> more has gone out;
    /// on the <paramref name="last"/> delta, every token left that starts before the end of the text.
    /// </summary>
    public CompletionLogprobs Release(string sentText, bool last)
    {
        _sent += sentText.Length;
        var tokens = new List<string>();
        var logprobs = new List<float>();
        var offsets = new List<int>();
        while (_pending.TryPeek(out var next) && (next.Offset < _sent || (last && next.Offset <= _sent)))
        {
            _pending.Dequeue();
            tokens.Add(next.Token);
            logprobs.Add(next.Logprob);
            offsets.Add(offsetBase + next.Offset);
        }

        return new CompletionLogprobs(tokens, logprobs, null, offsets);
    }
}
