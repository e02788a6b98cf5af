using Quicksilver.Engine.Compute;

namespace Quicksilver.Engine.Decoding;

/// <summary>
/// Which of a sequence's scored positions one denoising step commits, as a pure function: each row's remasking
/// confidence (<see cref="Confidence"/>); the rows ranked by it, highest first, ties to the leftmost canvas position
/// (then the lower row), NaN below every number; then <see cref="CommitCount"/>'s rule over the ranked confidences
/// (for <see cref="RemaskingStrategy.Origin"/>, every row whose draw exceeds the step's <c>s/t</c>). With
/// <see cref="CommitPolicy.SamplesPositions"/> (Dream's <c>alg_temp</c>) the rule still says how many rows, but which
/// ones are sampled: the Gumbel-top-k trick ranks the rows again by <c>confidence / alg_temp + g</c>, with standard
/// Gumbel noise <c>g</c> drawn by <see cref="CounterRng"/> from (seed ^ <see cref="PositionSamplingSalt"/>, step,
/// position), and takes the first — equal in distribution to <c>torch.multinomial(softmax(confidence / alg_temp), k)</c>
/// without replacement. With <see cref="CommitPolicy.LeftToRight"/> the rule reads the rows in canvas order instead and
/// its count (at least one) is taken from the left: the scheduled count, or the leftmost rows that each pass the
/// threshold or factor.
/// The CPU reference of <c>kernels/select_commits.cu</c> (which has no <see cref="RemaskingStrategy.Origin"/>: CUDA
/// selects it here, on the host); what the CPU backend's <c>ScoreAndSelect</c> runs, and what
/// <see cref="DenoisingSequence"/> commits by when it is given scores.
/// </summary>
public static class CommitSelection
{
    /// <summary>
    /// Mixed into the request seed for <see cref="RemaskingStrategy.Random"/> and <see cref="RemaskingStrategy.Origin"/>,
    /// so their draws are not the Gumbel draws.
    /// </summary>
    public const ulong RandomRemaskingSalt = 0x6A09E667F3BCC909UL;

    /// <summary>Mixed into the request seed for the Gumbel noise of position sampling (<c>alg_temp</c>), so it is neither the token draws nor the random remasking draws.</summary>
    public const ulong PositionSamplingSalt = 0xBB67AE8584CAA73BUL;

    /// <summary>
    /// Fills <paramref name="chosen"/> with the indices of the rows to commit, in commit order, and returns how many.
    /// </summary>
    /// <param name="scores">The sequence's scored rows.</param>
    /// <param name="positions">Canvas position of each row (ties, and the <see cref="RemaskingStrategy.Random"/> draw).</param>
    /// <param name="policy">Confidence, rule, parameter, scheduled count, seed and step.</param>
    /// <param name="chosen">Room for one index per row.</param>
    public static int Select(ReadOnlySpan<TokenScore> scores, ReadOnlySpan<int> positions, CommitPolicy policy, Span<int> chosen)
    {
        if (positions.Length != scores.Length)
        {
            throw new ArgumentException($"{scores.Length} scored rows need as many positions, not {positions.Length}.", nameof(positions));
        }

        if (chosen.Length < scores.Length)
        {
            throw new ArgumentException($"Room for {chosen.Length} chosen rows; {scores.Length} may be chosen.", nameof(chosen));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(policy.Scheduled, nameof(policy));
        if (!HasValidKeepProbability(policy))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy.KeepProbability, "Origin's keep probability must be in [0, 1].");
        }

        if (!HasValidAlgorithmTemperature(policy))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy.AlgorithmTemperature, "alg_temp must be a finite number ≥ 0.");
        }

        int n = scores.Length;
        var confidence = new double[n];
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            confidence[i] = Confidence(scores[i], positions[i], policy);
            order[i] = i;
        }

        int[] at = positions.ToArray();
        Array.Sort(order, (a, b) => Compare(confidence[a], at[a], a, confidence[b], at[b], b));
        var ranked = new double[n];
        for (int k = 0; k < n; k++)
        {
            ranked[k] = confidence[order[k]];
        }

        int count = policy.Remasking == RemaskingStrategy.Origin
            ? CommitCount.Revealed(ranked, policy.KeepProbability)
            : CommitCount.Of(policy.Rule, policy.Parameter, policy.Scheduled, ranked);
        if (policy.LeftToRight)
        {
            // The rule reads the rows from the left: a threshold takes the leftmost rows that pass it themselves.
            Array.Sort(order, (a, b) => at[a] != at[b] ? at[a].CompareTo(at[b]) : a.CompareTo(b));
            for (int k = 0; k < n; k++)
            {
                ranked[k] = confidence[order[k]];
            }

            count = policy.Remasking == RemaskingStrategy.Origin
                ? CommitCount.Revealed(ranked, policy.KeepProbability)
                : CommitCount.Of(policy.Rule, policy.Parameter, policy.Scheduled, ranked);
            count = Math.Min(n, Math.Max(1, count));
        }
        else if (policy.SamplesPositions)
        {
            var keys = new double[n];
            for (int i = 0; i < n; i++)
            {
                keys[i] = (confidence[i] / policy.AlgorithmTemperature) + CounterRng.Gumbel(policy.Seed ^ PositionSamplingSalt, (ulong)policy.Step, (ulong)at[i]);
            }

            Array.Sort(order, (a, b) => Compare(keys[a], at[a], a, keys[b], at[b], b));
        }

        order.AsSpan(0, count).CopyTo(chosen);
        return count;
    }

    /// <summary>
    /// <see cref="Select"/> for every sequence of a batch in the layout of <see cref="IComputeBackend.ScoreAndSelect"/>:
    /// sequence s owns rows <c>[rowOffsets[s], rowOffsets[s + 1])</c>, and its <c>counts[s]</c> commits fill
    /// <paramref name="committed"/> from <c>rowOffsets[s]</c> on, with rows numbered within the sequence.
    /// </summary>
    public static void SelectBatch(
        ReadOnlySpan<TokenScore> scores,
        ReadOnlySpan<int> positions,
        ReadOnlySpan<int> rowOffsets,
        ReadOnlySpan<CommitPolicy> policies,
        Span<CommittedToken> committed,
        Span<int> counts)
    {
        CheckBatch(scores.Length, positions, rowOffsets, policies, committed.Length, counts.Length, int.MaxValue);
        var chosen = new int[scores.Length];
        for (int s = 0; s < policies.Length; s++)
        {
            int first = rowOffsets[s], rows = rowOffsets[s + 1] - first;
            ReadOnlySpan<TokenScore> mine = scores.Slice(first, rows);
            int count = Select(mine, positions.Slice(first, rows), policies[s], chosen);
            for (int k = 0; k < count; k++)
            {
                TokenScore score = mine[chosen[k]];
                committed[first + k] = new CommittedToken(chosen[k], score.Token, score.LogProbability);
            }

            counts[s] = count;
        }
    }

    /// <summary>
    /// The argument checks of <see cref="IComputeBackend.ScoreAndSelect"/>: one position per row, row offsets from 0 to
    /// <paramref name="rows"/> that never decrease (one more than the policies), no sequence over
    /// <paramref name="maxRowsPerSequence"/> rows, known strategies and rules with a scheduled count ≥ 0 (and for
    /// <see cref="RemaskingStrategy.Origin"/> a keep probability in [0, 1]; an <c>alg_temp</c> finite and ≥ 0), and room for one commit per row and one count per sequence
    /// (<paramref name="committed"/> and <paramref name="counts"/> are the lengths of those spans).
    /// </summary>
    internal static void CheckBatch(int rows, ReadOnlySpan<int> positions, ReadOnlySpan<int> rowOffsets, ReadOnlySpan<CommitPolicy> policies, int committed, int counts, int maxRowsPerSequence)
    {
        int policyCount = policies.Length;
        if (positions.Length != rows)
        {
            throw new ArgumentException($"{rows} scored rows need as many positions, not {positions.Length}.", nameof(positions));
        }

        if (rowOffsets.Length != policyCount + 1)
        {
            throw new ArgumentException($"{policyCount} sequences need {policyCount + 1} row offsets, not {rowOffsets.Length}.", nameof(rowOffsets));
        }

        if (rowOffsets[0] != 0 || rowOffsets[^1] != rows)
        {
            throw new ArgumentException($"Row offsets must run from 0 to the {rows} scored rows, not from {rowOffsets[0]} to {rowOffsets[^1]}.", nameof(rowOffsets));
        }

        for (int s = 0; s < policyCount; s++)
        {
            int length = rowOffsets[s + 1] - rowOffsets[s];
            if (length < 0)
            {
                throw new ArgumentException($"Row offsets decrease at sequence {s} ({rowOffsets[s]} → {rowOffsets[s + 1]}).", nameof(rowOffsets));
            }

            if (length > maxRowsPerSequence)
            {
                throw new ArgumentException(
                    $"Sequence {s} has {length} scored rows; this backend selects commits among at most {maxRowsPerSequence} rows per sequence (see IComputeBackend.MaxSelectionRows).",
                    nameof(rowOffsets));
            }

            CommitPolicy policy = policies[s];
            if (!Enum.IsDefined(policy.Remasking) || !Enum.IsDefined(policy.Rule) || policy.Scheduled < 0 || !HasValidKeepProbability(policy) || !HasValidAlgorithmTemperature(policy))
            {
                throw new ArgumentException($"Sequence {s} has an invalid policy: {policy}.", nameof(policies));
            }
        }

        if (committed < rows || counts < policyCount)
        {
            throw new ArgumentException($"Room for {committed} commits and {counts} counts; {rows} and {policyCount} needed.", committed < rows ? nameof(committed) : nameof(counts));
        }
    }

    /// <summary>
    /// The remasking confidence of one row: <c>p(token)</c>, the top-2 margin, <c>Σ p log p</c>, or for
    /// <see cref="RemaskingStrategy.Random"/> and <see cref="RemaskingStrategy.Origin"/>
    /// <c>CounterRng.Uniform(seed ^ salt, step, position)</c>.
    /// </summary>
    public static double Confidence(TokenScore score, int position, CommitPolicy policy) => policy.Remasking switch
    {
        RemaskingStrategy.LowConfidence => score.Probability,
        RemaskingStrategy.Margin => score.Margin,
        RemaskingStrategy.Entropy => score.NegativeEntropy,
        RemaskingStrategy.Random or RemaskingStrategy.Origin => CounterRng.Uniform(policy.Seed ^ RandomRemaskingSalt, (ulong)policy.Step, (ulong)position),
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy.Remasking, "Unknown remasking strategy."),
    };

    private static bool HasValidAlgorithmTemperature(CommitPolicy policy) => policy.AlgorithmTemperature is >= 0 and < double.PositiveInfinity;

    private static bool HasValidKeepProbability(CommitPolicy policy) =>
        policy.Remasking != RemaskingStrategy.Origin || policy.KeepProbability is >= 0 and <= 1;

    /// <summary>Commit order: higher confidence first, NaN last; ties to the leftmost position, then the lower row.</summary>
    private static int Compare(double ca, int pa, int a, double cb, int pb, int b)
    {
        bool nanA = double.IsNaN(ca), nanB = double.IsNaN(cb);
        if (nanA != nanB)
        {
            return nanA ? 1 : -1;
        }

        if (!nanA && ca != cb)
        {
            return ca > cb ? -1 : 1;
        }

        return pa != pb ? pa.CompareTo(pb) : a.CompareTo(b);
    }
}
