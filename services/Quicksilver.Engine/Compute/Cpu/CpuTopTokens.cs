namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>The best-ranked tokens of one logit row (<see cref="LogitRank"/>), for <see cref="CpuBackend.TopLogprobs"/>.</summary>
internal static class CpuTopTokens
{
    /// <summary>
    /// Fills <paramref name="best"/> with the row's <c>best.Length</c> best-ranked tokens, best first, leaving out
    /// <paramref name="suppressedToken"/>; their log-probabilities are left 0. The row has at least that many candidates.
    /// </summary>
    public static void Rank(ReadOnlySpan<float> row, int suppressedToken, Span<TokenLogprob> best)
    {
        Span<ulong> keys = stackalloc ulong[best.Length]; // at most TokenLogprob.MaxAlternatives (TopLogprobsRow.Check)
        int held = 0;
        for (int v = 0; v < row.Length; v++)
        {
            if (v == suppressedToken)
            {
                continue;
            }

            ulong key = LogitRank.Key(row[v], v);
            if (held == keys.Length && key <= keys[^1])
            {
                continue;
            }

            // Insertion into the descending list; the last entry falls off a full one.
            int at = Math.Min(held, keys.Length - 1);
            while (at > 0 && keys[at - 1] < key)
            {
                keys[at] = keys[at - 1];
                at--;
            }

            keys[at] = key;
            held = Math.Min(held + 1, keys.Length);
        }

        for (int k = 0; k < best.Length; k++)
        {
            best[k] = new TokenLogprob(LogitRank.Token(keys[k]), 0f);
        }
    }
}
