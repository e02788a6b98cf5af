namespace Quicksilver.Engine.Compute;

/// <summary>
/// The token draw of a row whose <see cref="RowSampling.Truncates"/>: Dream's <c>sample_tokens</c> order —
/// <c>logits/T</c>, then top-p, then top-k, then the categorical draw. The candidates are every token but the
/// suppressed one, ranked by logit, highest first, ties to the lower token id. Top-p keeps the shortest ranked prefix
/// whose mass under <c>softmax(logits/T)</c> over the candidates is ≥ <c>TopP</c>; top-k keeps at most the first
/// <c>TopK</c> of those. The draw is Gumbel-max over the kept tokens with <see cref="RowSampling"/>'s counter-based
/// noise, so with nothing truncated it picks what the plain Gumbel-max picks.
/// </summary>
internal static class TruncatedSampler
{
    /// <summary>
    /// Weight (relative to the top token's, under <c>softmax(logits/T)</c>) above which candidates are ranked first:
    /// when they alone hold the kept prefix, the long tail of the vocabulary is never sorted.
    /// </summary>
    private const double HeadWeight = 1e-4;

    /// <summary>The Gumbel-max draw over <paramref name="kept"/> (<see cref="Kept"/> of the same row and sampling).</summary>
    public static int Draw(ReadOnlySpan<float> logits, int[] kept, RowSampling sampling)
    {
        int best = -1;
        double bestValue = double.NegativeInfinity;
        foreach (int v in kept)
        {
            double noised = logits[v] + (sampling.Temperature * CounterRng.Gumbel(sampling.Seed, sampling.Counter, (ulong)v));
            if (best < 0 || noised > bestValue)
            {
                best = v;
                bestValue = noised;
            }
        }

        return best;
    }

    /// <summary>
    /// The candidates top-p then top-k keep, best first, with the nucleus measured under
    /// <c>softmax(logits / <see cref="RowSampling.DistributionTemperature"/>)</c>.
    /// </summary>
    public static int[] Kept(ReadOnlySpan<float> logits, RowSampling sampling, int suppressedToken)
    {
        double temperature = sampling.DistributionTemperature;
        double inverseT = 1.0 / temperature;
        float top = float.NegativeInfinity;
        for (int v = 0; v < logits.Length; v++)
        {
            top = v != suppressedToken && logits[v] > top ? logits[v] : top;
        }

        // Every candidate's weight counts in the mass; the ranked set is a prefix of the order (all tokens at or above a
        // logit), so when it holds top-k tokens or enough mass, the kept prefix lies inside it.
        double floor = top + (Math.Log(HeadWeight) * temperature);
        double total = 0, headMass = 0;
        int headCount = 0;
        for (int v = 0; v < logits.Length; v++)
        {
            if (v != suppressedToken)
            {
                double weight = Math.Exp((logits[v] - top) * inverseT);
                total += weight;
                if (logits[v] >= floor)
                {
                    headMass += weight;
                    headCount++;
                }
            }
        }

        bool headSuffices = (sampling.TopK > 0 && headCount >= sampling.TopK) || (sampling.TopP < 1 && headMass >= sampling.TopP * total);
        ulong[] ranked = Rank(logits, suppressedToken, headSuffices ? floor : double.NegativeInfinity);
        int kept = KeptPrefix(logits, ranked, sampling, top, total);
        if (kept > ranked.Length)
        {
            // Summed in rank order, the head fell short of the mass its id-order sum reached: rank everything.
            ranked = Rank(logits, suppressedToken, double.NegativeInfinity);
            kept = Math.Min(KeptPrefix(logits, ranked, sampling, top, total), ranked.Length);
        }

        return [.. ranked.Take(kept).Select(TokenOf)];
    }

    /// <summary>
    /// How many of the ranked candidates survive top-p (mass against <paramref name="total"/>), then top-k (at least
    /// one); one more than <paramref name="ranked"/> holds when they all fall short of the top-p mass before top-k.
    /// </summary>
    private static int KeptPrefix(ReadOnlySpan<float> logits, ulong[] ranked, RowSampling sampling, float top, double total)
    {
        int kept = ranked.Length;
        if (sampling.TopP < 1)
        {
            double needed = sampling.TopP * total, mass = 0, inverseT = 1.0 / sampling.DistributionTemperature;
            kept = 0;
            while (kept < ranked.Length && (kept == 0 || mass < needed))
            {
                mass += Math.Exp((logits[TokenOf(ranked[kept++])] - top) * inverseT);
            }

            kept += mass < needed ? 1 : 0;
        }

        return sampling.TopK > 0 ? Math.Min(kept, sampling.TopK) : kept;
    }

    /// <summary>The candidates with a logit ≥ <paramref name="floor"/> as sort keys (the complements of their <see cref="LogitRank"/> keys, so best first), sorted.</summary>
    private static ulong[] Rank(ReadOnlySpan<float> logits, int suppressedToken, double floor)
    {
        var keys = new List<ulong>();
        for (int v = 0; v < logits.Length; v++)
        {
            if (v != suppressedToken && logits[v] >= floor)
            {
                keys.Add(~LogitRank.Key(logits[v], v));
            }
        }

        ulong[] sorted = [.. keys];
        Array.Sort(sorted);
        return sorted;
    }

    private static int TokenOf(ulong key) => LogitRank.Token(~key);
}
