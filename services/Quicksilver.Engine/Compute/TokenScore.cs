namespace Quicksilver.Engine.Compute;

/// <summary>
/// What the decoder needs from one row of logits, computed without materialising probabilities:
/// the chosen token and the confidences the remasking strategies use. Probabilities are under
/// <c>softmax(logits)</c> at temperature 1, as in LLaDA's <c>low_confidence</c> remasking, or for a row that
/// <see cref="RowSampling.ScoresTheDrawDistribution"/> (Dream's convention) under the distribution the token is drawn
/// from; <see cref="LogProbability"/> is always the plain softmax's.
/// </summary>
/// <param name="Token">The chosen token id (arg-max, or the Gumbel-max draw when sampling).</param>
/// <param name="Probability"><c>p(Token)</c>.</param>
/// <param name="LogProbability"><c>log p(Token)</c>, computed as <c>logit − logsumexp</c>.</param>
/// <param name="Margin"><c>p(top-1) − p(top-2)</c> (Dream's <c>topk_margin</c>).</param>
/// <param name="NegativeEntropy"><c>Σ p log p</c> (Dream's <c>entropy</c> confidence: higher means more certain).</param>
public readonly record struct TokenScore(int Token, float Probability, float LogProbability, float Margin, float NegativeEntropy);
