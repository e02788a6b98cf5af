namespace Quicksilver.Engine.Decoding;

/// <summary>How many of the ranked positions a step commits.</summary>
public enum CommitRule
{
    /// <summary>
    /// The plan's count for this step (<see cref="DiffusionPlan.BlockSchedule"/>): LLaDA's linear
    /// <c>get_num_transfer_tokens</c>, or Dream's timestep schedule.
    /// </summary>
    Schedule,

    /// <summary>Fast-dLLM's threshold rule: the top position, plus every other with probability ≥ the threshold.</summary>
    Threshold,

    /// <summary>
    /// Fast-dLLM's factor rule: with probabilities sorted descending <c>c₁ ≥ c₂ ≥ …</c>, the longest prefix n with
    /// <c>cᵢ ≥ 1 − factor/(i+1)</c> for every i ≤ n (i ≥ 2; the top position always passes).
    /// </summary>
    Factor,
}
