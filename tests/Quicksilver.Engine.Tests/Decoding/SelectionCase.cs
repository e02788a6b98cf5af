using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Tests.Decoding;

/// <summary>
/// One sequence's input to <see cref="CommitSelection"/>: scores, distinct canvas positions in shuffled order and a
/// policy, drawn so that equal confidences (ties broken by position) are common.
/// </summary>
internal sealed record SelectionCase(TokenScore[] Scores, int[] Positions, CommitPolicy Policy)
{
    private static readonly float[] Probabilities = [0.05f, 0.3f, 0.5f, 0.9f, 0.95f, 1f];
    private static readonly float[] Margins = [0f, 0.1f, 0.4f, 0.8f];
    private static readonly float[] NegativeEntropies = [-3f, -1f, -0.25f, 0f];

    /// <summary>Whether two rows share the confidence the policy ranks by.</summary>
    public bool HasTies => Scores.Select((s, i) => CommitSelection.Confidence(s, Positions[i], Policy)).Distinct().Count() < Scores.Length;

    public static SelectionCase Random(Random random, int? rows = null)
    {
        int n = rows ?? (random.Next(10) == 0 ? random.Next(100, 300) : random.Next(0, 40));
        bool discrete = random.Next(3) != 0;
        var scores = new TokenScore[n];
        for (int i = 0; i < n; i++)
        {
            float p = discrete ? Probabilities[random.Next(Probabilities.Length)] : (float)random.NextDouble();
            float margin = discrete ? Margins[random.Next(Margins.Length)] : (float)random.NextDouble() * p;
            float negativeEntropy = discrete ? NegativeEntropies[random.Next(NegativeEntropies.Length)] : -(float)random.NextDouble() * 4;
            scores[i] = new TokenScore(random.Next(1000), p, MathF.Log(p), margin, negativeEntropy);
        }

        int[] positions = Enumerable.Range(0, n + random.Next(20)).OrderBy(_ => random.Next()).Take(n).ToArray();
        CommitRule rule = (CommitRule)random.Next(3);
        double parameter = rule switch
        {
            CommitRule.Threshold => random.Next(2) == 0 ? Probabilities[random.Next(Probabilities.Length)] : random.NextDouble(),
            CommitRule.Factor => random.Next(2) == 0 ? 1 + random.Next(4) : random.NextDouble() * 4,
            _ => 0,
        };
        var policy = new CommitPolicy(
            (RemaskingStrategy)random.Next(4),
            rule,
            parameter,
            random.Next(n + 3),
            (ulong)random.NextInt64(),
            random.Next(10_000));
        return new SelectionCase(scores, positions, policy);
    }

    public override string ToString() =>
        $"{Policy}, rows {Scores.Length}: [{string.Join(", ", Scores.Select((s, i) => $"@{Positions[i]} p={s.Probability} m={s.Margin} e={s.NegativeEntropy}"))}]";
}
