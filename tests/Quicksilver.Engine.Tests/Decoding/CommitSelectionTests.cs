using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Tests.Decoding;

public sealed class CommitSelectionTests
{
    private const ulong LegacySalt = 0x6A09E667F3BCC909UL;

    [Fact]
    public void Select_RandomCasesOverEveryStrategyAndRule_SameChoicesAsTheFormerCommit()
    {
        var random = new Random(20240611);
        int tied = 0, cases = 3000;
        for (int c = 0; c < cases; c++)
        {
            SelectionCase x = SelectionCase.Random(random);
            tied += x.HasTies ? 1 : 0;
            var chosen = new int[x.Scores.Length];

            int count = CommitSelection.Select(x.Scores, x.Positions, x.Policy, chosen);

            Assert.True(LegacySelect(x).AsSpan().SequenceEqual(chosen.AsSpan(0, count)), $"case {c}: {x}");
        }

        Assert.InRange(tied, cases / 4, cases); // ties (broken by position) are exercised, not just distinct confidences
    }

    [Theory]
    [InlineData(new[] { 0.5f, 0.9f, 0.5f, 0.5f }, new[] { 40, 7, 12, 3 }, new[] { 1, 3, 2, 0 })] // ties: leftmost position first, whatever the row order
    [InlineData(new[] { float.NaN, float.NegativeInfinity, float.NaN, 0f }, new[] { 9, 8, 4, 6 }, new[] { 3, 1, 2, 0 })] // NaN below every number, NaNs by position
    [InlineData(new[] { -0f, 0f, 0.25f }, new[] { 5, 2, 9 }, new[] { 2, 1, 0 })] // −0 equals +0
    public void Select_EqualOrNaNConfidences_TotalOrderByPosition(float[] probabilities, int[] positions, int[] expected)
    {
        var chosen = new int[probabilities.Length];

        int count = CommitSelection.Select(probabilities.Select(Score).ToArray(), positions, Policy(CommitRule.Schedule, scheduled: probabilities.Length), chosen);

        Assert.Equal(probabilities.Length, count);
        Assert.Equal(expected, chosen);
    }

    [Fact]
    public void Select_NoRows_CommitsNothingUnderEveryRule()
    {
        foreach (CommitRule rule in Enum.GetValues<CommitRule>())
        {
            Assert.Equal(0, CommitSelection.Select([], [], Policy(rule, scheduled: 3), []));
        }
    }

    [Fact]
    public void Select_Random_DrawsUniformAtSaltedSeedStepAndPosition()
    {
        var policy = new CommitPolicy(RemaskingStrategy.Random, CommitRule.Schedule, 0, 1, Seed: 77, Step: 5);

        double confidence = CommitSelection.Confidence(Score(0.1f), 123, policy);

        Assert.Equal(CounterRng.Uniform(77 ^ LegacySalt, 5, 123), confidence);
    }

    [Fact]
    public void Select_PositionsOfAnotherLength_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => CommitSelection.Select([Score(1f)], [1, 2], Policy(CommitRule.Schedule, 1), new int[2]));

        Assert.Equal("positions", ex.ParamName);
    }

    [Fact]
    public void Select_RoomForFewerThanTheRows_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => CommitSelection.Select([Score(1f), Score(0.5f)], [1, 2], Policy(CommitRule.Schedule, 1), new int[1]));

        Assert.Equal("chosen", ex.ParamName);
    }

    [Fact]
    public void Select_NegativeScheduledCount_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CommitSelection.Select([Score(1f)], [1], Policy(CommitRule.Schedule, -1), new int[1]));

    [Fact]
    public void Select_UnknownStrategy_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            CommitSelection.Select([Score(1f)], [1], new CommitPolicy((RemaskingStrategy)17, CommitRule.Schedule, 0, 1, 0, 0), new int[1]));

    [Fact]
    public void SelectBatch_EachSequenceAsSelectAlone_RowsNumberedWithinTheSequence()
    {
        var random = new Random(3);
        SelectionCase[] cases = Enumerable.Range(0, 6).Select(_ => SelectionCase.Random(random)).ToArray();
        int[] offsets = new int[cases.Length + 1];
        for (int s = 0; s < cases.Length; s++)
        {
            offsets[s + 1] = offsets[s] + cases[s].Scores.Length;
        }

        TokenScore[] scores = cases.SelectMany(x => x.Scores).ToArray();
        int[] positions = cases.SelectMany(x => x.Positions).ToArray();
        var committed = new CommittedToken[scores.Length];
        var counts = new int[cases.Length];

        CommitSelection.SelectBatch(scores, positions, offsets, cases.Select(x => x.Policy).ToArray(), committed, counts);

        for (int s = 0; s < cases.Length; s++)
        {
            var chosen = new int[cases[s].Scores.Length];
            int count = CommitSelection.Select(cases[s].Scores, cases[s].Positions, cases[s].Policy, chosen);
            CommittedToken[] expected = chosen[..count].Select(i => new CommittedToken(i, cases[s].Scores[i].Token, cases[s].Scores[i].LogProbability)).ToArray();
            Assert.Equal(count, counts[s]);
            Assert.Equal(expected, committed.AsSpan(offsets[s], count).ToArray());
        }
    }

    public static TheoryData<string, int[], int[], CommitPolicy[], int, int, int> InvalidBatches => new()
    {
        { "positions", [0, 2], [0, 2], [Policy(CommitRule.Schedule, 1)], 2, 1, 1024 },              // 3 rows, 2 positions
        { "rowOffsets", [0, 1, 2], [0, 3], [Policy(CommitRule.Schedule, 1), Policy(CommitRule.Schedule, 1)], 3, 2, 1024 }, // 2 policies, 2 offsets
        { "rowOffsets", [0, 1, 2], [1, 3], [Policy(CommitRule.Schedule, 1)], 3, 1, 1024 },           // not from 0
        { "rowOffsets", [0, 1, 2], [0, 2], [Policy(CommitRule.Schedule, 1)], 3, 1, 1024 },           // not to the rows
        { "rowOffsets", [0, 1, 2], [0, 2, 1, 3], [Policy(CommitRule.Schedule, 1), Policy(CommitRule.Schedule, 1), Policy(CommitRule.Schedule, 1)], 3, 3, 1024 }, // decreasing
        { "rowOffsets", [0, 1, 2], [0, 3], [Policy(CommitRule.Schedule, 1)], 3, 1, 2 },              // over the backend's limit
        { "policies", [0, 1, 2], [0, 3], [Policy(CommitRule.Schedule, -1)], 3, 1, 1024 },            // negative schedule
        { "policies", [0, 1, 2], [0, 3], [Policy((CommitRule)9, 1)], 3, 1, 1024 },                   // unknown rule
        { "committed", [0, 1, 2], [0, 3], [Policy(CommitRule.Schedule, 1)], 2, 1, 1024 },            // room for 2 commits
        { "counts", [0, 1, 2], [0, 3], [Policy(CommitRule.Schedule, 1)], 3, 0, 1024 },               // room for no count
    };

    [Theory]
    [MemberData(nameof(InvalidBatches))]
    public void CheckBatch_InvalidLayout_ThrowsNamingTheArgument(string param, int[] positions, int[] offsets, CommitPolicy[] policies, int committed, int counts, int limit)
    {
        var ex = Assert.Throws<ArgumentException>(() => CommitSelection.CheckBatch(3, positions, offsets, policies, committed, counts, limit));

        Assert.Equal(param, ex.ParamName);
    }

    [Fact]
    public void CheckBatch_SequenceOverTheLimit_MessageNamesSequenceAndLimit()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            CommitSelection.CheckBatch(5, new int[5], [0, 1, 5], [Policy(CommitRule.Schedule, 1), Policy(CommitRule.Schedule, 1)], 5, 2, 3));

        Assert.Contains("Sequence 1 has 4 scored rows", ex.Message, StringComparison.Ordinal);
        Assert.Contains("at most 3 rows per sequence", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckBatch_EmptySequencesAndEmptyBatch_Accepted()
    {
        CommitSelection.CheckBatch(2, [4, 5], [0, 0, 2, 2], [Policy(CommitRule.Schedule, 0), Policy(CommitRule.Threshold, 1), Policy(CommitRule.Factor, 1)], 2, 3, 2);
        CommitSelection.CheckBatch(0, [], [0], [], 0, 0, 1);
    }

    [Theory]
    [InlineData(CommitRule.Schedule, 2, new[] { 20, 22, 23, 19 }, new[] { 3, 0 })] // the two leftmost, not the two most confident (rows 1 and 2)
    [InlineData(CommitRule.Schedule, 0, new[] { 20, 22, 23, 19 }, new[] { 3 })] // past the schedule: still one
    [InlineData(CommitRule.Threshold, 0, new[] { 20, 22, 23, 19 }, new[] { 3 })] // the leftmost row is below 0.9: it alone
    [InlineData(CommitRule.Threshold, 0, new[] { 22, 19, 20, 23 }, new[] { 1, 2 })] // the two leftmost pass 0.9, the third does not
    public void Select_LeftToRight_ReadsTheRuleFromTheLeftmostRows_AtLeastOne(CommitRule rule, int scheduled, int[] positions, int[] expected)
    {
        float[] probabilities = [0.2f, 0.95f, 0.97f, 0.1f];
        var chosen = new int[probabilities.Length];

        int count = CommitSelection.Select(probabilities.Select(Score).ToArray(), positions, Policy(rule, scheduled) with { LeftToRight = true }, chosen);

        Assert.Equal(expected, chosen[..count]);
    }

    private static CommitPolicy Policy(CommitRule rule, int scheduled) => new(RemaskingStrategy.LowConfidence, rule, 0.9, scheduled, 1, 0);

    private static TokenScore Score(float probability) => new(7, probability, MathF.Log(probability), 0f, 0f);

    /// <summary>DenoisingSequence.Commit's selection before CommitSelection existed, verbatim but for its inputs.</summary>
    private static int[] LegacySelect(SelectionCase x)
    {
        TokenScore[] scores = x.Scores;
        int[] positions = x.Positions;
        var order = new int[positions.Length];
        var confidence = new double[positions.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
            confidence[i] = x.Policy.Remasking switch
            {
                RemaskingStrategy.LowConfidence => scores[i].Probability,
                RemaskingStrategy.Margin => scores[i].Margin,
                RemaskingStrategy.Entropy => scores[i].NegativeEntropy,
                RemaskingStrategy.Random => CounterRng.Uniform(x.Policy.Seed ^ LegacySalt, (ulong)x.Policy.Step, (ulong)positions[i]),
                _ => throw new InvalidOperationException(),
            };
        }

        Array.Sort(order, (a, b) => confidence[a] != confidence[b] ? confidence[b].CompareTo(confidence[a]) : positions[a].CompareTo(positions[b]));
        var ranked = new double[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            ranked[i] = confidence[order[i]];
        }

        int transfer = CommitCount.Of(x.Policy.Rule, x.Policy.Parameter, x.Policy.Scheduled, ranked);
        return order[..transfer];
    }
}
