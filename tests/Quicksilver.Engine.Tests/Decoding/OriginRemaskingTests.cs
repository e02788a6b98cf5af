using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Tests.Decoding;

/// <summary>
/// Dream's <c>origin</c> remasking (<see cref="RemaskingStrategy.Origin"/>) through <see cref="DenoisingSequence"/> with
/// stand-in scores (no model): each masked position is revealed independently with probability <c>1 − s/t</c> of the
/// timestep schedule, the block's last step reveals the rest, and the request seed fixes which positions.
/// </summary>
public sealed class OriginRemaskingTests
{
    private const int Mask = 999;

    [Theory]
    [InlineData(DiffusionPlan.DefaultEps)]
    [InlineData(0.5)]
    public void Commit_Origin_EachStepRevealsOneMinusSOverTOfTheMasksLeft(double eps)
    {
        // 8 sequences (seeds 1–8) of 1024 masks in one block of 8 steps, pooled: step i reveals each of the n_i masks
        // left with p_i = 1 − s/t, t and s from linspace(1, eps, 9) (computed here in double, independently of the
        // engine's fp32 schedule; the two differ by < 1e-6). The fraction revealed must be within 4 binomial standard
        // deviations, 4·sqrt(p(1 − p)/n_i): 0.015 at the first step and at most 0.05 at the seventh for eps 1e-3 (n_i
        // about 8192 down to 2050). The seeds are fixed, so the test is deterministic; the band says how far from
        // 1 − s/t the draws are allowed to be.
        const int masks = 1024, steps = 8, sequences = 8;
        var plan = DiffusionPlan.Create(masks, masks, steps, ModelArchitecture.Dream, eps);
        DenoisingSequence[] all = Enumerable.Range(1, sequences).Select(seed => Create(plan, (ulong)seed)).ToArray();

        for (int i = 0; i < steps; i++)
        {
            int left = all.Sum(s => s.Canvas.ToArray().Count(t => t == Mask));
            int revealed = 0;
            foreach (DenoisingSequence sequence in all)
            {
                Step(sequence);
                revealed += sequence.LastCommitted;
            }

            double t = 1 - ((1 - eps) * i / steps), s = 1 - ((1 - eps) * (i + 1) / steps);
            if (i < steps - 1)
            {
                double p = 1 - (s / t), tolerance = 4 * Math.Sqrt(p * (1 - p) / left);
                Assert.InRange((double)revealed / left, p - tolerance, p + tolerance);
            }
            else
            {
                Assert.Equal(left, revealed); // the last step reveals every mask that remains
            }
        }

        Assert.All(all, s => Assert.Equal((FinishReason.Length, steps), (s.Finish!.Value, s.StepsTaken)));
        Assert.All(all, s => Assert.DoesNotContain(Mask, s.Canvas.ToArray()));
    }

    [Fact]
    public void Commit_OriginOverSeveralBlocks_EveryBlockDoneByItsLastStep()
    {
        // 40 masks in blocks of 16, 16 and 8 with 4, 4 and 2 steps, over 50 seeds: a block may finish early (all of it
        // revealed before its last step), never late, and the answer ends with no mask left.
        var plan = DiffusionPlan.Create(40, 16, 10, ModelArchitecture.Dream);
        for (ulong seed = 1; seed <= 50; seed++)
        {
            DenoisingSequence sequence = Create(plan, seed);
            var stepsPerBlock = new List<int>();
            int stepsInBlock = 0;
            while (sequence.Finish is null)
            {
                stepsInBlock++;
                if (Step(sequence) is not null)
                {
                    stepsPerBlock.Add(stepsInBlock);
                    stepsInBlock = 0;
                }
            }

            Assert.Equal(FinishReason.Length, sequence.Finish);
            Assert.DoesNotContain(Mask, sequence.Canvas.ToArray());
            Assert.Equal(3, stepsPerBlock.Count);
            Assert.All(stepsPerBlock.Zip(plan.BlockSteps), pair => Assert.InRange(pair.First, 1, pair.Second));
        }
    }

    [Fact]
    public void Commit_OriginSameSeed_SameCanvasAtEveryStep()
    {
        // The stand-in token depends on the step a position is revealed at, so the canvas records when each was revealed.
        var plan = DiffusionPlan.Create(64, 32, 16, ModelArchitecture.Dream);
        DenoisingSequence first = Create(plan, seed: 42), second = Create(plan, seed: 42), other = Create(plan, seed: 43);
        bool differs = false;
        while (first.Finish is null)
        {
            Step(first);
            Step(second);
            Step(other);
            Assert.Equal(first.Canvas.ToArray(), second.Canvas.ToArray());
            differs |= !first.Canvas.SequenceEqual(other.Canvas);
        }

        Assert.True(differs, "another seed reveals other positions");
    }

    private static DenoisingSequence Create(DiffusionPlan plan, ulong seed) =>
        new([1, 2, 3], plan, new DecodingSettings(0f, seed, RemaskingStrategy.Origin), Mask, new HashSet<int>());

    /// <summary>One step with stand-in scores: every row the same confidence, its token a function of step and position.</summary>
    private static IReadOnlyList<int>? Step(DenoisingSequence sequence)
    {
        ForwardSequence step = sequence.NextStep();
        TokenScore[] scores = step.ScorePositions.Select(p => new TokenScore(((sequence.StepsTaken * 31) + p) % 500, 0.5f, -0.7f, 0f, 0f)).ToArray();
        return sequence.Commit(step, scores);
    }
}
