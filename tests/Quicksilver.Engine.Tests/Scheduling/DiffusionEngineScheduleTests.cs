using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>
/// The engine commits on its model family's schedule (<see cref="DiffusionPlan.BlockSchedule"/>): LLaDA's linear
/// counts, Dream's timestep counts. Its answer equals a <see cref="DenoisingSequence"/> driven by hand with that
/// family's plan, and differs from the other family's plan, so the test tells the two apart; likewise for the final
/// timestep a model's <c>generation_config.json</c> names.
/// </summary>
public sealed class DiffusionEngineScheduleTests
{
    [Theory]
    [InlineData(ModelArchitecture.LLaDA, ModelArchitecture.Dream)]
    [InlineData(ModelArchitecture.Dream, ModelArchitecture.LLaDA)]
    public async Task GenerateAsync_ModelFamily_CommitsOnItsSamplersSchedule(ModelArchitecture family, ModelArchitecture other)
    {
        // 16 masks, one block, 4 steps: LLaDA commits 4, 4, 4, 4; Dream 3, 4, 4, 5 (greedy, most confident first).
        using var test = new TestEngine(new EngineOptions(), layers: 2, architecture: family);
        int[] prompt = [7, 3, 9, 1, 4];
        var request = new GenerationRequest { PromptTokens = prompt, MaxTokens = 16, BlockLength = 16, Steps = 4, Seed = 1 };

        int[] answer = await test.Collect(request);

        Assert.Equal(DecodeByHand(test.Model, prompt, DiffusionPlan.Create(16, 16, 4, family)), answer);
        Assert.NotEqual(DecodeByHand(test.Model, prompt, DiffusionPlan.Create(16, 16, 4, other)), answer);
    }

    [Fact]
    public async Task GenerateAsync_GenerationConfigEps_DreamCommitsOnTheScheduleAtThatEps()
    {
        // generation_config.json's eps 0.5: 16 masks in 4 steps commit 2, 1, 2, 11 (DreamTimestepSchedule's fp32
        // counts, checked in DiffusionPlanTests), not 3, 4, 4, 5 as at eps 1e-3.
        using var test = new TestEngine(new EngineOptions(), layers: 2, architecture: ModelArchitecture.Dream, generation: new GenerationDefaults { Eps = 0.5 });
        int[] prompt = [7, 3, 9, 1, 4];
        var request = new GenerationRequest { PromptTokens = prompt, MaxTokens = 16, BlockLength = 16, Steps = 4, Seed = 1 };

        int[] answer = await test.Collect(request);

        var plan = DiffusionPlan.Create(16, 16, 4, ModelArchitecture.Dream, eps: 0.5);
        Assert.Equal(new[] { 2, 1, 2, 11 }, plan.BlockSchedule(0));
        Assert.Equal(DecodeByHand(test.Model, prompt, plan), answer);
        Assert.NotEqual(DecodeByHand(test.Model, prompt, DiffusionPlan.Create(16, 16, 4, ModelArchitecture.Dream)), answer);
    }

    private static int[] DecodeByHand(DiffusionTransformer model, int[] prompt, DiffusionPlan plan)
    {
        var settings = new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence);
        var sequence = new DenoisingSequence(prompt, plan, settings, model.Config.MaskTokenId, new HashSet<int>(), CacheWindowRule.Of(model.Config));
        var answer = new List<int>();
        while (sequence.Finish is null)
        {
            ForwardSequence step = sequence.NextStep();
            var scores = new TokenScore[step.ScorePositions.Count];
            model.Forward([step], scores);
            answer.AddRange(sequence.Commit(step, scores) ?? []);
        }

        return [.. answer];
    }
}
