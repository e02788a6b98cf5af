namespace Quicksilver.Engine.Decoding;

/// <summary>
/// The confidence that ranks a block's masked positions each step (LLaDA's <c>remasking</c>, Dream's <c>alg</c>).
/// Probabilities are under the un-noised <c>softmax(logits)</c> of the chosen token, as in LLaDA's sampler; for Dream
/// models under the tempered, truncated distribution the token is drawn from, as in Dream's
/// (<see cref="Compute.RowSampling.ScoresTheDrawDistribution"/>).
/// </summary>
public enum RemaskingStrategy
{
    /// <summary><c>p(chosen token)</c>: commit the most confident positions (LLaDA's <c>low_confidence</c>, Dream's <c>maskgit_plus</c> at T = 1).</summary>
    LowConfidence,

    /// <summary>Uniform random order (LLaDA's <c>random</c>).</summary>
    Random,

    /// <summary><c>p(top-1) − p(top-2)</c> (Dream's <c>topk_margin</c>).</summary>
    Margin,

    /// <summary><c>Σ p log p</c>, i.e. lowest entropy first (Dream's <c>entropy</c>).</summary>
    Entropy,

    /// <summary>
    /// No ranking (Dream's <c>origin</c>, its default <c>alg</c>): each masked position of the block is revealed
    /// independently with probability <c>1 − s/t</c> of the timestep schedule (<see cref="DiffusionPlan.KeepProbabilities"/>),
    /// its token sampled at the request temperature, and the block's last step reveals all that remain; the schedule's
    /// counts hold only in expectation. The draws are <see cref="Random"/>'s, a function of the request seed, the step
    /// and the position, so a seeded request reveals the same positions on every backend and in any batch.
    /// LLaDA may use it too: it is the reverse process of masked diffusion, which both families are trained on, with the
    /// same timesteps (<c>eps</c> 1e-3 unless the model's <c>generation_config.json</c> names another).
    /// </summary>
    Origin,
}
