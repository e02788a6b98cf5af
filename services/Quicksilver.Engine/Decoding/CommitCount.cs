namespace Quicksilver.Engine.Decoding;

/// <summary>How many of a step's ranked positions to commit under each <see cref="CommitRule"/>.</summary>
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
}
