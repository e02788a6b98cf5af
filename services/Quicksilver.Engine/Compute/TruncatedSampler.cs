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
    public static int Draw(ReadOnlySpan<float> logits, RowSampling sampling, int suppressedToken)
    {
        ulong[] ranked = Rank(logits, suppressedToken);
        int kept = KeptPrefix(logits, ranked, sampling);
        int best = -1;
        double bestValue = double.NegativeInfinity;
        for (int i = 0; i < kept; i++)
        {
            int v = TokenOf(ranked[i]);
            double noised = logits[v] + (sampling.Temperature * CounterRng.Gumbel(sampling.Seed, sampling.Counter, (ulong)v));
            if (best < 0 || noised > bestValue)
            {
                best = v;
                bestValue = noised;
            }
        }

        return best;
    }

    /// <summary>How many of the ranked candidates survive top-p, then top-k (at least one).</summary>
    private static int KeptPrefix(ReadOnlySpan<float> logits, ulong[] ranked, RowSampling sampling)
    {
        int kept = ranked.Length;
        if (sampling.TopP < 1)
        {
            double top = logits[TokenOf(ranked[0])];
            double inverseT = 1.0 / sampling.Temperature;
            var weights = new double[ranked.Length];
            double total = 0;
            for (int i = 0; i < ranked.Length; i++)
            {
                weights[i] = Math.Exp((logits[TokenOf(ranked[i])] - top) * inverseT);
                total += weights[i];
            }

            double needed = sampling.TopP * total, mass = 0;
            kept = 0;
            while (kept < ranked.Length && (kept == 0 || mass < needed))
            {
                mass += weights[kept++];
            }
        }

        return sampling.TopK > 0 ? Math.Min(kept, sampling.TopK) : kept;
    }

    /// <summary>The candidates as sort keys (logit descending, then token id ascending), sorted.</summary>
    private static ulong[] Rank(ReadOnlySpan<float> logits, int suppressedToken)
    {
        int count = (uint)suppressedToken < (uint)logits.Length ? logits.Length - 1 : logits.Length;
        var keys = new ulong[count];
        int n = 0;
        for (int v = 0; v < logits.Length; v++)
        {
            if (v != suppressedToken)
            {
                keys[n++] = ((ulong)~OrderedBits(logits[v]) << 32) | (uint)v;
            }
        }

        Array.Sort(keys);
        return keys;
    }

    private static int TokenOf(ulong key) => (int)(uint)key;

    /// <summary>The float's bits mapped so that unsigned order is numeric order (negatives flipped, positives above them).</summary>
    private static uint OrderedBits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }
}
