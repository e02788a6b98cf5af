namespace Quicksilver.Engine.Decoding;

/// <summary>
/// How one sequence's denoising step picks the positions it commits from its scored rows (the input of
/// <see cref="CommitSelection"/>, on the host or the device): the confidence that ranks them, the rule that says how
/// many of the ranked rows to take, and this step's scheduled count.
/// </summary>
/// <param name="Remasking">The confidence that ranks the rows.</param>
/// <param name="Rule">How many ranked rows to commit.</param>
/// <param name="Parameter">Threshold or factor of <paramref name="Rule"/> (unused by <see cref="CommitRule.Schedule"/>).</param>
/// <param name="Scheduled">The block schedule's count for this step (used by <see cref="CommitRule.Schedule"/>).</param>
/// <param name="Seed">The request's seed: <see cref="RemaskingStrategy.Random"/> and <see cref="RemaskingStrategy.Origin"/> draw from it.</param>
/// <param name="Step">Forward passes the sequence took before this one: the draws' counter.</param>
/// <param name="KeepProbability">
/// <see cref="RemaskingStrategy.Origin"/>'s <c>s/t</c> for this step (<see cref="DiffusionPlan.KeepProbabilities"/>): a row is
/// revealed when its draw exceeds it; 0 reveals every row. Unused by the other strategies.
/// </param>
/// <param name="AlgorithmTemperature">
/// Dream's <c>alg_temp</c>, ≥ 0: above 0 the rows a ranked strategy commits are sampled without replacement from
/// <c>softmax(confidence / alg_temp)</c> instead of taken from the top (<see cref="SamplesPositions"/>).
/// </param>
/// <param name="LeftToRight">
/// Whether the rule reads the rows in canvas order and its count, at least one, is taken from the leftmost rows instead
/// of the most confident (a constrained answer, <see cref="Constraints.ITokenConstraint"/>, is checked token after
/// token from its left).
/// </param>
public readonly record struct CommitPolicy(
    RemaskingStrategy Remasking,
    CommitRule Rule,
    double Parameter,
    int Scheduled,
    ulong Seed,
    int Step,
    double KeepProbability = 0,
    double AlgorithmTemperature = 0,
    bool LeftToRight = false)
{
    /// <summary>
    /// Whether the step samples which rows to commit (<see cref="AlgorithmTemperature"/> &gt; 0 with a strategy that ranks
    /// by the model's confidence: <see cref="RemaskingStrategy.LowConfidence"/>, <see cref="RemaskingStrategy.Margin"/>,
    /// <see cref="RemaskingStrategy.Entropy"/>). <see cref="RemaskingStrategy.Random"/> and
    /// <see cref="RemaskingStrategy.Origin"/> are random already and ignore it, as Dream's <c>origin</c> does.
    /// </summary>
    public bool SamplesPositions => AlgorithmTemperature > 0
        && Remasking is RemaskingStrategy.LowConfidence or RemaskingStrategy.Margin or RemaskingStrategy.Entropy;
}
