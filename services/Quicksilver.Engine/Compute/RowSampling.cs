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
public readonly record struct RowSampling(float Temperature, ulong Seed, ulong Counter, double TopP = 1, int TopK = 0)
{
    /// <summary>Whether top-p or top-k removes tokens from the draw (never at temperature 0, which is the arg-max).</summary>
    public bool Truncates => Temperature > 0f && (TopK > 0 || TopP < 1);
}
