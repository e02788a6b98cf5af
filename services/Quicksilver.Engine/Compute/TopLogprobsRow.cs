using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute;

/// <summary>
/// A logit row whose most likely tokens <see cref="IComputeBackend.TopLogprobs"/> lists, with the token the step chose
/// there and that token's log-probability: the alternatives' log-probabilities are measured from it, so the chosen
/// token, when listed, shows exactly its own. Mirrored by <c>TopLogprobsRow</c> in <c>kernels/top_logprobs.cu</c> (12 bytes).
/// </summary>
/// <param name="LogitRow">The row of the logits buffer.</param>
/// <param name="ChosenToken">The token committed at the row's position.</param>
/// <param name="ChosenLogProbability">Its <see cref="TokenScore.LogProbability"/>.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct TopLogprobsRow(int LogitRow, int ChosenToken, float ChosenLogProbability)
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless every row lies inside <paramref name="rows"/> rows with its chosen
    /// token inside <paramref name="vocab"/>, <paramref name="count"/> is at least 1 and at most the candidates (the
    /// vocabulary less the suppressed token) and <see cref="TokenLogprob.MaxAlternatives"/> (the CUDA kernel's lists
    /// hold that many), and <paramref name="results"/> holds <paramref name="count"/> per row.
    /// </summary>
    public static void Check(int rows, int vocab, ReadOnlySpan<TopLogprobsRow> listed, int count, int suppressedToken, int results)
    {
        int candidates = vocab - ((uint)suppressedToken < (uint)vocab ? 1 : 0);
        if (count < 1 || count > candidates)
        {
            throw new ArgumentException($"{count} alternatives per row: the rows have {candidates} candidate tokens.", nameof(count));
        }

        if (count > TokenLogprob.MaxAlternatives)
        {
            throw new ArgumentException($"{count} alternatives per row: at most {TokenLogprob.MaxAlternatives} are listed.", nameof(count));
        }

        if (results != (long)listed.Length * count)
        {
            throw new ArgumentException($"{listed.Length} rows of {count} alternatives need {(long)listed.Length * count} results, not {results}.", nameof(results));
        }

        foreach (TopLogprobsRow row in listed)
        {
            if ((uint)row.LogitRow >= (uint)rows || (uint)row.ChosenToken >= (uint)vocab)
            {
                throw new ArgumentException($"Row {row.LogitRow} (of {rows}) with chosen token {row.ChosenToken} (of {vocab}) is out of range.", nameof(listed));
            }
        }
    }
}
