namespace Quicksilver.Engine.Compute;

/// <summary>
/// How to draw a token from one row of logits. With <see cref="Temperature"/> 0 the choice is the arg-max;
/// otherwise it is Gumbel-max, <c>argmax(logit + T·g)</c>, with <c>g = −log(−log u)</c> and
/// <c>u = <see cref="CounterRng"/>.Uniform(Seed, Counter, token)</c> in double precision (LLaDA samples in float64;
/// a counter-based generator makes the draw identical on every backend and independent of batch composition).
/// </summary>
public readonly record struct RowSampling(float Temperature, ulong Seed, ulong Counter);
