namespace Quicksilver.Engine.Metering;

/// <summary>
/// Shares one step's measured wall time among the sequences of its batch in proportion to the work each did: the
/// tokens its forward input held. Shares are whole <see cref="TimeSpan"/> ticks (100 ns) and sum exactly to the
/// step's time: each is rounded down and the remainder (under one tick per sequence) goes to the last sequence.
/// </summary>
internal static class StepTimeSplit
{
    /// <param name="step">The step's wall time (≥ 0).</param>
    /// <param name="tokens">Tokens each sequence's forward input held (each ≥ 1), in batch order.</param>
    public static TimeSpan[] ByTokens(TimeSpan step, ReadOnlySpan<int> tokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, TimeSpan.Zero);
        long total = 0;
        foreach (int count in tokens)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(tokens));
            total += count;
        }

        var shares = new TimeSpan[tokens.Length];
        long given = 0;
        for (int i = 0; i < tokens.Length - 1; i++)
        {
            long share = (long)((Int128)step.Ticks * tokens[i] / total);
            shares[i] = TimeSpan.FromTicks(share);
            given += share;
        }

        if (tokens.Length > 0)
        {
            shares[^1] = TimeSpan.FromTicks(step.Ticks - given);
        }

        return shares;
    }
}
