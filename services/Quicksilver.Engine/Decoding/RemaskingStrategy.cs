namespace Quicksilver.Engine.Decoding;

/// <summary>
/// The confidence that ranks a block's masked positions each step (LLaDA's <c>remasking</c>, Dream's <c>alg</c>).
/// Probabilities are under the un-noised <c>softmax(logits)</c> of the chosen token, as in LLaDA's sampler;
/// Dream's sampler takes them at the request temperature instead.
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
}
