using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Tests.Decoding;

public sealed class DenoisingSequenceTests
{
    private const int Mask = 99;
    private const int Eos = 98;

    [Fact]
    public void NextStep_ScoresOnlyMaskedPositionsOfCurrentBlock_BlocksLeftToRight()
    {
        var sequence = Create(prompt: [5, 6, 7], answer: 8, block: 4, steps: 8);
        var seen = new List<int[]>();
        while (sequence.Finish is null)
        {
            ForwardSequence step = sequence.NextStep();
            seen.Add(step.ScorePositions.ToArray());
            sequence.Commit(step, Scores(step, p => (token: 10 + p, confidence: 0.5f)));
        }

        // 2 blocks × 4 steps, one token per step; block 1 covers canvas 3..6, block 2 covers 7..10.
        Assert.Equal(8, seen.Count);
        Assert.All(seen.Take(4), positions => Assert.All(positions, p => Assert.InRange(p, 3, 6)));
        Assert.All(seen.Skip(4), positions => Assert.All(positions, p => Assert.InRange(p, 7, 10)));
        Assert.Equal(new[] { 3, 4, 5, 6 }, seen[0]);
        Assert.Equal(new[] { 4, 5, 6 }, seen[1]);
    }

    [Fact]
    public void Commit_LowConfidence_CommitsMostConfidentPositions()
    {
        var sequence = Create(prompt: [1], answer: 4, block: 4, steps: 2);
        ForwardSequence step = sequence.NextStep();
        float[] confidence = [0.1f, 0.9f, 0.3f, 0.8f];

        sequence.Commit(step, Scores(step, p => (token: 20 + p, confidence: confidence[p - 1])));

        Assert.Equal(new[] { 1, Mask, 22, Mask, 24 }, sequence.Canvas.ToArray());
        Assert.Equal(new[] { 1, 3 }, sequence.NextStep().ScorePositions);
    }

    [Fact]
    public void Commit_BlockHoldsEos_FinishesWithStopAndCutsBeforeIt()
    {
        var sequence = Create(prompt: [1, 2], answer: 8, block: 4, steps: 4);
        var emitted = new List<int>();
        while (sequence.Finish is null)
        {
            ForwardSequence step = sequence.NextStep();
            IReadOnlyList<int>? block = sequence.Commit(step, Scores(step, p => (token: p == 4 ? Eos : 30 + p, confidence: 1f - (p * 0.01f))));
            emitted.AddRange(block ?? []);
        }

        Assert.Equal(FinishReason.Stop, sequence.Finish);
        Assert.Equal(new[] { 32, 33 }, emitted);
        Assert.Equal(2, sequence.StepsTaken); // two steps of the first block; the second block never ran
    }

    [Fact]
    public void Commit_NoEos_FinishesWithLengthAfterAllBlocks()
    {
        var sequence = Create(prompt: [1], answer: 6, block: 4, steps: 3);
        var emitted = new List<int>();
        while (sequence.Finish is null)
        {
            ForwardSequence step = sequence.NextStep();
            emitted.AddRange(sequence.Commit(step, Scores(step, p => (token: 40 + p, confidence: 0.5f))) ?? []);
        }

        Assert.Equal(FinishReason.Length, sequence.Finish);
        Assert.Equal(new[] { 41, 42, 43, 44, 45, 46 }, emitted);
        Assert.Equal(6, sequence.CompletionTokens);
    }

    [Fact]
    public void NextStep_SamplingCounters_UniquePerStepAndPosition()
    {
        var sequence = Create(prompt: [1], answer: 4, block: 4, steps: 4);
        var counters = new HashSet<ulong>();
        while (sequence.Finish is null)
        {
            ForwardSequence step = sequence.NextStep();
            Assert.All(step.Sampling, s => Assert.True(counters.Add(s.Counter)));
            sequence.Commit(step, Scores(step, p => (token: 7, confidence: 0.5f)));
        }
    }

    [Theory]
    [InlineData(ModelArchitecture.Dream, true)]
    [InlineData(ModelArchitecture.LLaDA, false)]
    [InlineData(ModelArchitecture.Sdar, false)]
    [InlineData(ModelArchitecture.FastDllmV2, false)]
    public void NextStep_Sampling_TakesDreamsConfidencesForDreamOnly(ModelArchitecture family, bool fromDraw)
    {
        var settings = new DecodingSettings(0.2f, 1, RemaskingStrategy.Entropy, TopP: 0.95);
        var sequence = new DenoisingSequence([1], DiffusionPlan.Create(4, 4, 4, family), settings, Mask, new HashSet<int> { Eos });

        ForwardSequence step = sequence.NextStep();

        Assert.All(step.Sampling, s => Assert.Equal(fromDraw, s.ScoresTheDrawDistribution));
    }

    [Fact]
    public void Commit_ThresholdRule_CommitsAllConfidentPositionsAndEndsBlockWhenNoMaskLeft()
    {
        var sequence = new DenoisingSequence(
            [1], DiffusionPlan.Create(8, 4, 8), new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence, CommitRule.Threshold, 0.9), Mask, new HashSet<int> { Eos });
        float[] first = [0.95f, 0.2f, 0.97f, 0.3f];

        ForwardSequence step = sequence.NextStep();
        Assert.Null(sequence.Commit(step, Scores(step, p => (token: 50 + p, confidence: first[p - 1]))));
        Assert.Equal(new[] { 2, 4 }, sequence.NextStep().ScorePositions);

        step = sequence.NextStep();
        IReadOnlyList<int>? block = sequence.Commit(step, Scores(step, p => (token: 50 + p, confidence: 0.95f)));

        Assert.Equal(new[] { 51, 52, 53, 54 }, block);
        Assert.Equal(2, sequence.StepsTaken);
        Assert.Equal(new[] { 5, 6, 7, 8 }, sequence.NextStep().ScorePositions);
    }

    [Theory]
    [InlineData(CommitRule.Threshold, 0.9)]
    [InlineData(CommitRule.Factor, 0.1)]
    public void MaxSteps_RuleCommittingOneTokenAStep_TakesOneStepPerAnswerTokenPastThePlan(CommitRule rule, double parameter)
    {
        // 8 tokens in blocks of 4 planned in 2 steps; nothing confident: the rule commits one token a step.
        var sequence = new DenoisingSequence(
            [1], DiffusionPlan.Create(8, 4, 2), new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence, rule, parameter), Mask, new HashSet<int> { Eos });
        Assert.Equal(2, sequence.PlannedSteps);
        Assert.Equal(8, sequence.MaxSteps);

        while (sequence.Finish is null)
        {
            Assert.Equal(sequence.MaxSteps - sequence.StepsTaken, sequence.MostStepsLeft);
            ForwardSequence step = sequence.NextStep();
            sequence.Commit(step, Scores(step, p => (token: 50 + p, confidence: 0.01f * p)));
        }

        Assert.Equal(sequence.MaxSteps, sequence.StepsTaken);
        Assert.Equal(0, sequence.MostStepsLeft);
    }

    [Theory]
    [InlineData(false, false, 8)] // nothing can end it early: every step of both blocks
    [InlineData(true, false, 4)]  // its caller may end it after a block: the rest of this one
    [InlineData(false, true, 4)]  // an end token may end it with this block
    public void FewestStepsLeft_ScheduleRule_IsTheRestOfTheBlockOrOfTheAnswer(bool callerMayEndIt, bool endTokens, int fewest)
    {
        // 8 tokens in blocks of 4, one step per token.
        var sequence = new DenoisingSequence(
            [1], DiffusionPlan.Create(8, 4, 8), new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence), Mask, endTokens ? new HashSet<int> { Eos } : new HashSet<int>());
        Assert.Equal(fewest, sequence.FewestStepsLeft(callerMayEndIt));

        ForwardSequence step = sequence.NextStep();
        sequence.Commit(step, Scores(step, p => (token: 50 + p, confidence: 0.5f)));

        Assert.Equal(fewest - 1, sequence.FewestStepsLeft(callerMayEndIt));
    }

    [Theory]
    [InlineData(false, 2)] // at least a step for each of its two blocks
    [InlineData(true, 1)]
    public void FewestStepsLeft_ThresholdRule_IsAStepPerBlockLeft(bool callerMayEndIt, int fewest)
    {
        var sequence = new DenoisingSequence(
            [1], DiffusionPlan.Create(8, 4, 8), new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence, CommitRule.Threshold, 0.9), Mask, new HashSet<int>());

        Assert.Equal(fewest, sequence.FewestStepsLeft(callerMayEndIt));
    }

    [Fact]
    public void MaxSteps_ScheduleRule_IsThePlannedSteps()
    {
        var sequence = new DenoisingSequence([1], DiffusionPlan.Create(8, 4, 2), new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence), Mask, new HashSet<int> { Eos });

        Assert.Equal(2, sequence.MaxSteps);
    }

    [Theory]
    [InlineData(RemaskingStrategy.Margin, 3)]
    [InlineData(RemaskingStrategy.Entropy, 2)]
    public void Commit_DreamConfidences_RankByMarginOrNegativeEntropy(RemaskingStrategy strategy, int expectedPosition)
    {
        var sequence = new DenoisingSequence([1], DiffusionPlan.Create(3, 3, 3), new DecodingSettings(0f, 1, strategy), Mask, new HashSet<int> { Eos });
        ForwardSequence step = sequence.NextStep();
        TokenScore[] scores =
        [
            new(60, 0.9f, -0.1f, Margin: 0.1f, NegativeEntropy: -2.0f),
            new(61, 0.5f, -0.7f, Margin: 0.2f, NegativeEntropy: -0.1f),
            new(62, 0.4f, -0.9f, Margin: 0.3f, NegativeEntropy: -1.0f),
        ];

        sequence.Commit(step, scores);

        Assert.Equal(new[] { 1, 2, 3 }.Where(p => p != expectedPosition), sequence.NextStep().ScorePositions);
    }

    [Fact]
    public void CommitPolicy_CarriesSettingsScheduledCountAndStepsTaken()
    {
        var sequence = new DenoisingSequence(
            [1, 2], DiffusionPlan.Create(6, 3, 4), new DecodingSettings(0.5f, 42, RemaskingStrategy.Margin, CommitRule.Factor, 2.5), Mask, new HashSet<int> { Eos });
        var seen = new List<CommitPolicy>();
        while (sequence.Finish is null)
        {
            ForwardSequence step = sequence.NextStep();
            seen.Add(sequence.CommitPolicy);
            int[] rows = Enumerable.Range(0, seen[^1].Scheduled).ToArray();
            sequence.Commit(step, rows.Select(r => new CommittedToken(r, 60 + r, -0.5f)).ToArray());
        }

        // Two blocks of 3 with 2 steps each: schedules [2, 1] and [2, 1].
        Assert.Equal(new[] { 2, 1, 2, 1 }, seen.Select(p => p.Scheduled));
        Assert.Equal(new[] { 0, 1, 2, 3 }, seen.Select(p => p.Step));
        Assert.All(seen, p => Assert.Equal((RemaskingStrategy.Margin, CommitRule.Factor, 2.5, 42UL), (p.Remasking, p.Rule, p.Parameter, p.Seed)));
    }

    [Fact]
    public void Commit_PreselectedRows_SameCanvasAndLogProbabilitiesAsCommitFromScores()
    {
        var random = new Random(9);
        foreach (RemaskingStrategy strategy in Enum.GetValues<RemaskingStrategy>())
        {
            foreach (CommitRule rule in Enum.GetValues<CommitRule>())
            {
                var settings = new DecodingSettings(0f, 5, strategy, rule, rule == CommitRule.Factor ? 1.0 : 0.6);
                DenoisingSequence fromScores = new([1, 2, 3], DiffusionPlan.Create(12, 5, 6), settings, Mask, new HashSet<int> { Eos });
                DenoisingSequence preselected = new([1, 2, 3], DiffusionPlan.Create(12, 5, 6), settings, Mask, new HashSet<int> { Eos });
                while (fromScores.Finish is null)
                {
                    ForwardSequence step = fromScores.NextStep(), same = preselected.NextStep();
                    TokenScore[] scores = step.ScorePositions.Select(_ => new TokenScore(random.Next(90), (float)random.NextDouble(), -(float)random.NextDouble(), (float)random.NextDouble(), -(float)random.NextDouble())).ToArray();
                    var chosen = new int[scores.Length];
                    int count = CommitSelection.Select(scores, same.ScorePositions.ToArray(), preselected.CommitPolicy, chosen);

                    IReadOnlyList<int>? a = fromScores.Commit(step, scores);
                    IReadOnlyList<int>? b = preselected.Commit(same, chosen[..count].Select(i => new CommittedToken(i, scores[i].Token, scores[i].LogProbability)).ToArray());

                    Assert.Equal(a, b);
                    Assert.Equal(fromScores.Canvas.ToArray(), preselected.Canvas.ToArray());
                    Assert.Equal(fromScores.LastCommitted, preselected.LastCommitted);
                }

                Assert.Equal(fromScores.Finish, preselected.Finish);
                Assert.Equal(fromScores.LogProbabilities(0, fromScores.CompletionTokens).ToArray(), preselected.LogProbabilities(0, preselected.CompletionTokens).ToArray());
            }
        }
    }

    public static TheoryData<int[]> InvalidCommits => new()
    {
        new[] { 4 },       // row 4 of 4 scored rows
        new[] { -1 },
        new[] { 1, 1 },    // the same row twice
        new[] { 0, 1, 2, 3, 0 }, // more commits than rows
    };

    [Theory]
    [MemberData(nameof(InvalidCommits))]
    public void Commit_InvalidPreselectedRows_ThrowsAndLeavesTheSequenceAsItWas(int[] rows)
    {
        var sequence = Create(prompt: [1], answer: 4, block: 4, steps: 2);
        ForwardSequence step = sequence.NextStep();

        Assert.Throws<ArgumentException>(() => sequence.Commit(step, rows.Select(r => new CommittedToken(r, 5, -1f)).ToArray()));

        Assert.Equal(new[] { 1, Mask, Mask, Mask, Mask }, sequence.Canvas.ToArray());
        Assert.Equal(0, sequence.StepsTaken);
        Assert.Equal(new[] { 1, 2, 3, 4 }, sequence.NextStep().ScorePositions);
    }

    [Fact]
    public void Suffix_FollowsTheAnswerOnTheCanvas_NeverScoredNorChanged()
    {
        var sequence = new DenoisingSequence(
            [5, 6], DiffusionPlan.Create(4, 2, 4), new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence), Mask, new HashSet<int> { Eos }, suffix: [70, 71, 72]);
        var emitted = new List<int>();
        Assert.Equal(new[] { 5, 6, Mask, Mask, Mask, Mask, 70, 71, 72 }, sequence.Canvas.ToArray());
        while (sequence.Finish is null)
        {
            ForwardSequence step = sequence.NextStep();
            Assert.All(step.ScorePositions, p => Assert.InRange(p, 2, 5));
            Assert.Equal(9, step.Tokens.Length);
            emitted.AddRange(sequence.Commit(step, Scores(step, p => (token: 40 + p, confidence: 0.5f))) ?? []);
        }

        Assert.Equal(new[] { 42, 43, 44, 45 }, emitted);
        Assert.Equal(new[] { 5, 6, 42, 43, 44, 45, 70, 71, 72 }, sequence.Canvas.ToArray());
        Assert.Equal((FinishReason.Length, 4), (sequence.Finish, sequence.CompletionTokens));
    }

    [Fact]
    public void Suffix_EndTokenInTheAnswer_StopsBeforeIt()
    {
        var sequence = new DenoisingSequence(
            [5], DiffusionPlan.Create(4, 4, 4), new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence), Mask, new HashSet<int> { Eos }, suffix: [Eos, 71]);
        var emitted = new List<int>();
        while (sequence.Finish is null)
        {
            ForwardSequence step = sequence.NextStep();
            emitted.AddRange(sequence.Commit(step, Scores(step, p => (token: p == 3 ? Eos : 40 + p, confidence: 0.5f))) ?? []);
        }

        Assert.Equal(FinishReason.Stop, sequence.Finish);
        Assert.Equal(new[] { 41, 42 }, emitted);
    }

    [Fact]
    public void NextStep_PresenceAndFrequencyPenalties_JoinTheLogitBiasForTokensTheAnswerHolds()
    {
        // One commit a step, most confident first: 40 at position 1, then EOS at 2 (never penalised), then 40 at 3.
        var settings = new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence, LogitBias: [new(40, 1f), new(50, -2f)], PresencePenalty: 0.5, FrequencyPenalty: 0.25);
        var sequence = new DenoisingSequence([1], DiffusionPlan.Create(4, 4, 4), settings, Mask, new HashSet<int> { Eos });
        (int Token, float Confidence) At(int p) => p switch { 1 => (40, 0.9f), 2 => (Eos, 0.8f), _ => (40, 0.1f) };
        var biases = new List<Dictionary<int, float>>();
        for (int step = 0; step < 4; step++)
        {
            ForwardSequence next = sequence.NextStep();
            biases.Add(next.LogitBias.ToDictionary(b => b.Token, b => b.Bias));
            sequence.Commit(next, Scores(next, At));
        }

        Assert.Equal(new Dictionary<int, float> { [40] = 1f, [50] = -2f }, biases[0]);
        Assert.Equal(new Dictionary<int, float> { [40] = 0.25f, [50] = -2f }, biases[1]);
        Assert.Equal(new Dictionary<int, float> { [40] = 0.25f, [50] = -2f }, biases[2]);
        Assert.Equal(new Dictionary<int, float> { [40] = 0f, [50] = -2f }, biases[3]);
    }

    [Fact]
    public void Commit_WithTopLogprobs_KeepsEachPositionsAlternativesInAnswerOrder()
    {
        var sequence = new DenoisingSequence([1], DiffusionPlan.Create(4, 4, 2), new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence, TopLogprobs: 2), Mask, new HashSet<int> { Eos });
        static TokenLogprob[] Listed(int position) => [new(10 + position, -0.1f * position), new(20 + position, -1f - position)];

        // Two steps of two commits each, committed out of canvas order.
        ForwardSequence first = sequence.NextStep();
        Assert.Equal(2, first.TopLogprobs);
        Assert.Throws<ArgumentException>(() => sequence.Commit(first, [new CommittedToken(2, 13, -0.3f), new CommittedToken(0, 11, -0.1f)]));
        sequence.Commit(first, [new CommittedToken(2, 13, -0.3f), new CommittedToken(0, 11, -0.1f)], [.. Listed(3), .. Listed(1)]);
        ForwardSequence second = sequence.NextStep();
        IReadOnlyList<int>? block = sequence.Commit(second, [new CommittedToken(1, 14, -0.4f), new CommittedToken(0, 12, -0.2f)], [.. Listed(4), .. Listed(2)]);

        Assert.Equal(new[] { 11, 12, 13, 14 }, block);
        IReadOnlyList<TokenLogprob>[] alternatives = sequence.Alternatives(0, 4);
        Assert.Equal(Enumerable.Range(1, 4).Select(Listed), alternatives.Select(a => a.ToArray()));
        Assert.Equal(Listed(3), sequence.Alternatives(2, 1)[0]);
    }

    [Fact]
    public void Alternatives_WithoutTopLogprobs_AreEmpty()
    {
        DenoisingSequence sequence = Create([1], answer: 2, block: 2, steps: 1);
        ForwardSequence step = sequence.NextStep();
        sequence.Commit(step, Scores(step, p => (token: 30 + p, confidence: 0.5f)));

        Assert.Equal(0, step.TopLogprobs);
        Assert.Empty(sequence.Alternatives(0, 2));
    }

    private static DenoisingSequence Create(int[] prompt, int answer, int block, int steps) =>
        new(prompt, DiffusionPlan.Create(answer, block, steps), new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence), Mask, new HashSet<int> { Eos });

    private static TokenScore[] Scores(ForwardSequence step, Func<int, (int token, float confidence)> at) =>
        step.ScorePositions.Select(p => at(p)).Select(x => new TokenScore(x.token, x.confidence, MathF.Log(x.confidence), 0f, 0f)).ToArray();
}
