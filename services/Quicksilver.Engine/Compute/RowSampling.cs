namespace Quicksilver.Engine.Compute;

/// <summary>
/// How to draw a token from one row of logits. With <see cref="Temperature"/> 0 the choice is the arg-max;
/// otherwise it is Gumbel-max, <c>argmax(logit + T·g)</c>, with <c>g = −log(−log u)</c> and
/// <c>u = <see cref="CounterRng"/>.Uniform(Seed, Counter, token)</c> in double precision (LLaDA samples in float64;
/// a counter-based generator makes the draw identical on every backend and independent of batch composition).
/// With <see cref="Truncates"/> the arg-max runs only over the tokens <see cref="TruncatedSampler"/> keeps (top-p,
/// then top-k, as Dream's <c>sample_tokens</c>), so the draw is from the truncated, renormalised <c>softmax(logits/T)</c>.
/// </summary>
/// <param name="Temperature">Gumbel temperature; 0 = arg-max.</param>
/// <param name="Seed">CounterRng seed.</param>
/// <param name="Counter">CounterRng counter.</param>
/// <param name="TopP">Nucleus mass in (0, 1]; 1 keeps every token.</param>
/// <param name="TopK">Tokens kept by top-k; 0 keeps every token.</param>
/// <param name="ConfidenceFromDraw">
/// Dream's convention for the confidences (<see cref="ScoresTheDrawDistribution"/>); false keeps LLaDA's, those of the
/// plain <c>softmax(logits)</c>.
/// </param>
public readonly record struct RowSampling(float Temperature, ulong Seed, ulong Counter, double TopP = 1, int TopK = 0, bool ConfidenceFromDraw = false)
{
    /// <summary>Whether top-p or top-k removes tokens from the draw (never at temperature 0, which is the arg-max).</summary>
    public bool Truncates => Temperature > 0f && (TopK > 0 || TopP < 1);

    /// <summary>
    /// Whether the confidences (<see cref="TokenScore.Probability"/>, <see cref="TokenScore.Margin"/>,
    /// <see cref="TokenScore.NegativeEntropy"/>) are taken under the distribution Dream's <c>sample_tokens</c> draws from
    /// rather than the plain <c>softmax(logits)</c>: <c>logits / T</c> (T = 1 when greedy: Dream divides only by a
    /// temperature above 0), then top-p and top-k even when greedy (as Dream does), renormalised over the kept tokens,
    /// the suppressed one never among them. Only at a temperature other than 0 or 1, or with top-p or top-k: otherwise the
    /// two are the same distribution but for the suppressed token's mass, which the plain softmax keeps, as Dream's does.
    /// <see cref="TokenScore.LogProbability"/> stays the plain softmax's (OpenAI's logprobs).
    /// </summary>
    public bool ScoresTheDrawDistribution => ConfidenceFromDraw && (TopK > 0 || TopP < 1 || (Temperature > 0f && Temperature != 1f));

    /// <summary>Whether top-p or top-k cut the distribution <see cref="ScoresTheDrawDistribution"/> scores under.</summary>
    public bool TruncatesConfidences => ScoresTheDrawDistribution && (TopK > 0 || TopP < 1);

    /// <summary>The temperature top-p measures the nucleus at and the draw distribution is taken at: T, or 1 when greedy.</summary>
    public float DistributionTemperature => Temperature > 0f ? Temperature : 1f;
}
