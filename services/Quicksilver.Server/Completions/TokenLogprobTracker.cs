using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Server.Completions;

/// <summary>
/// Pairs answer tokens with the text actually sent: a token is released with the delta whose text reaches its offset,
/// so tokens held back by the stop filter wait, and tokens after a stop sequence are never sent. With
/// <paramref name="listsAlternatives"/>, each token carries the alternatives the engine listed at its position.
/// Offsets count characters (Unicode code points, as Python's string indices do, so vLLM's), not UTF-16 units: an emoji
/// is one. <paramref name="offsetBase"/> is the characters before the answer (the echoed prompt's).
/// </summary>
internal sealed class TokenLogprobTracker(ITextTokenizer tokenizer, int offsetBase, bool listsAlternatives)
{
    private readonly Queue<(string Token, float Logprob, int Offset, IReadOnlyList<TokenAlternative> Alternatives)> _pending = new();
    private readonly TokenTextOffsets _offsets = new(tokenizer);
    private int _sent;

    /// <summary>Adds the tokens of one engine update, their log-probabilities and (when listed) their alternatives.</summary>
    public void Add(IReadOnlyList<int> tokens, IReadOnlyList<float> logprobs, IReadOnlyList<IReadOnlyList<TokenLogprob>> alternatives)
    {
        if (logprobs.Count != tokens.Count || (listsAlternatives && alternatives.Count != tokens.Count))
        {
            throw new InvalidOperationException($"The engine reported {logprobs.Count} log-probabilities and {alternatives.Count} alternative lists for {tokens.Count} tokens.");
        }

        for (int i = 0; i < tokens.Count; i++)
        {
            IReadOnlyList<TokenAlternative> listed = listsAlternatives
                ? [.. alternatives[i].Select(a => new TokenAlternative(tokenizer.DecodeAlone(a.Token), a.LogProbability))]
                : [];
            _pending.Enqueue((tokenizer.DecodeAlone(tokens[i]), logprobs[i], _offsets.Next(tokens[i]), listed));
        }
    }

    /// <summary>
    /// The tokens that start within the text sent so far, once <paramref name="sentText"/> more has gone out;
    /// on the <paramref name="last"/> delta, every token left that starts before the end of the text.
    /// </summary>
    public AnswerLogprobs Release(string sentText, bool last)
    {
        _sent += Characters(sentText);
        var tokens = new List<string>();
        var logprobs = new List<float>();
        var offsets = new List<int>();
        var alternatives = new List<IReadOnlyList<TokenAlternative>>();
        while (_pending.TryPeek(out var next) && (next.Offset < _sent || (last && next.Offset <= _sent)))
        {
            _pending.Dequeue();
            tokens.Add(next.Token);
            logprobs.Add(next.Logprob);
            offsets.Add(offsetBase + next.Offset);
            alternatives.Add(next.Alternatives);
        }

        return new AnswerLogprobs(tokens, logprobs, offsets, listsAlternatives ? alternatives : null);
    }

    /// <summary>The Unicode code points of <paramref name="text"/> (a lone surrogate counts as one).</summary>
    public static int Characters(string text)
    {
        int count = 0;
        foreach (System.Text.Rune _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
