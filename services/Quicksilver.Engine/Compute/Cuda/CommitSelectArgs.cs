using System.Runtime.InteropServices;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>Mirror of <c>CommitSelectArgs</c> in <c>kernels/select_commits.cu</c> (48 bytes): one sequence's commit selection.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CommitSelectArgs
{
    /// <summary><c>QS_CONFIDENCE_PROBABILITY</c>: p(token).</summary>
    public const int ConfidenceProbability = 0;

    /// <summary><c>QS_CONFIDENCE_MARGIN</c>: p(top-1) − p(top-2).</summary>
    public const int ConfidenceMargin = 1;

    /// <summary><c>QS_CONFIDENCE_NEGATIVE_ENTROPY</c>: Σ p log p.</summary>
    public const int ConfidenceNegativeEntropy = 2;

    /// <summary><c>QS_CONFIDENCE_RANDOM</c>: the counter-based uniform draw at the row's position.</summary>
    public const int ConfidenceRandom = 3;

    /// <summary><c>QS_COMMIT_SCHEDULE</c>.</summary>
    public const int CommitSchedule = 0;

    /// <summary><c>QS_COMMIT_THRESHOLD</c>.</summary>
    public const int CommitThreshold = 1;

    /// <summary><c>QS_COMMIT_FACTOR</c>.</summary>
    public const int CommitFactor = 2;

    /// <summary>The sequence's first row in the scores and in the commits.</summary>
    public int FirstRow;

    /// <summary>Its row count (at most <c>QS_SELECT_MAX_ROWS</c>).</summary>
    public int Rows;

    /// <summary>One of the <c>Confidence*</c> constants.</summary>
    public int Confidence;

    /// <summary>One of the <c>Commit*</c> constants.</summary>
    public int Rule;

    /// <summary>The schedule's count for this step.</summary>
    public int Scheduled;

    /// <summary>Padding so <see cref="Parameter"/> is 8-byte aligned, as in C.</summary>
    public uint Reserved;

    /// <summary>Threshold or factor.</summary>
    public double Parameter;

    /// <summary>The request seed, salted with <see cref="CommitSelection.RandomRemaskingSalt"/>.</summary>
    public ulong RandomSeed;

    /// <summary>Steps the sequence took before this one.</summary>
    public ulong RandomStep;

    /// <summary>
    /// Whether the kernel selects by <paramref name="policy"/>: every strategy but
    /// <see cref="RemaskingStrategy.Origin"/>, whose count (the draws above <c>s/t</c>, possibly none) no kernel rule
    /// computes (the threshold rule always commits the top row), and no position sampling (<c>alg_temp</c>), which the
    /// kernel's top-k ranking does not draw, and no left-to-right commits (a constrained answer's, which the host
    /// checks token by token anyway).
    /// </summary>
    public static bool Expresses(CommitPolicy policy) => policy.Remasking != RemaskingStrategy.Origin && !policy.SamplesPositions && !policy.LeftToRight;

    public static CommitSelectArgs From(CommitPolicy policy, int firstRow, int rows)
    {
        if (policy.LeftToRight)
        {
            throw new ArgumentException(
                "select_commits.cu cannot commit left to right; such steps are selected on the host (IComputeBackend.CanSelect).",
                nameof(policy));
        }

        if (policy.SamplesPositions)
        {
            throw new ArgumentException(
                "select_commits.cu cannot sample positions (alg_temp); such steps are selected on the host (IComputeBackend.CanSelect).",
                nameof(policy));
        }

        return new()
        {
            FirstRow = firstRow,
            Rows = rows,
            Confidence = policy.Remasking switch
            {
                RemaskingStrategy.LowConfidence => ConfidenceProbability,
                RemaskingStrategy.Margin => ConfidenceMargin,
                RemaskingStrategy.Entropy => ConfidenceNegativeEntropy,
                RemaskingStrategy.Random => ConfidenceRandom,
                RemaskingStrategy.Origin => throw new ArgumentException(
                    "select_commits.cu cannot select by origin remasking (it may commit no row); such steps are selected on the host (IComputeBackend.CanSelect).",
                    nameof(policy)),
                _ => throw new ArgumentOutOfRangeException(nameof(policy), policy.Remasking, "Unknown remasking strategy."),
            },
            Rule = policy.Rule switch
            {
                CommitRule.Schedule => CommitSchedule,
                CommitRule.Threshold => CommitThreshold,
                CommitRule.Factor => CommitFactor,
                _ => throw new ArgumentOutOfRangeException(nameof(policy), policy.Rule, "Unknown commit rule."),
            },
            Scheduled = policy.Scheduled,
            Parameter = policy.Parameter,
            RandomSeed = policy.Seed ^ CommitSelection.RandomRemaskingSalt,
            RandomStep = (ulong)policy.Step,
        };
    }
}
