namespace Quicksilver.Engine.Decoding;

/// <summary>How many of a step's ranked positions to commit under each <see cref="CommitRule"/>, or by <see cref="RemaskingStrategy.Origin"/>'s draws.</summary>
internal static class CommitCount
{
    /// <param name="rule">The rule.</param>
    /// <param name="parameter">Threshold or factor.</param>
    /// <param name="scheduled">The schedule's count for this step.</param>
    /// <param name="sortedProbabilities">The candidates' probabilities, highest first.</param>
    public static int Of(CommitRule rule, double parameter, int scheduled, ReadOnlySpan<double> sortedProbabilities)
    {
        int available = sortedProbabilities.Length;
        switch (rule)
        {
            case CommitRule.Schedule:
                return Math.Min(scheduled, available);
            case CommitRule.Threshold:
                int above = 1;
                while (above < available && sortedProbabilities[above] >= parameter)
                {
                    above++;
                }

                return Math.Min(above, available);
            case CommitRule.Factor:
                int n = 1;
                while (n < available && sortedProbabilities[n] >= 1 - (parameter / (n + 2)))
                {
                    n++;
                }

                return Math.Min(n, available);
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule, null);
        }
    }

    /// <summary>
    /// <see cref="RemaskingStrategy.Origin"/>'s count: the ranked draws that exceed <paramref name="keepProbability"/>
    /// (each does with probability <c>1 − s/t</c>); none, some or all of them.
    /// </summary>
    /// <param name="sortedDraws">The candidates' uniform draws, highest first.</param>
    /// <param name="keepProbability">This step's <c>s/t</c>.</param>
    public static int Revealed(ReadOnlySpan<double> sortedDraws, double keepProbability)
    {
        int n = 0;
        while (n < sortedDraws.Length && sortedDraws[n] > keepProbability)
        {
            n++;
        }

        return n;
    }
}
