using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>The warm-up at load runs the serving path on both families and leaves the model's answers as they were.</summary>
public sealed class ModelWarmUpTests
{
    public static TheoryData<string> Families => ["llada", "dream"];

    [Theory]
    [MemberData(nameof(Families))]
    public void Run_StepsUpToTheCap_RunsThemOnTheServingPath(string family)
    {
        using var model = new RandomTransformer(Config(family), seed: 3);

        Assert.Equal(0, ModelWarmUp.Run(model.Model, 0));
        Assert.Equal(5, ModelWarmUp.Run(model.Model, 5));
        Assert.Equal(ModelWarmUp.MaxSteps, ModelWarmUp.Run(model.Model, 1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelWarmUp.Run(model.Model, -1));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Run_AfterwardsTheModel_ScoresExactlyAsAFreshOne(string family)
    {
        // The warm-up grows the forward workspace past this batch's needs; a grown workspace must not change results.
        using var warmed = new RandomTransformer(Config(family), seed: 5);
        using var fresh = new RandomTransformer(Config(family), seed: 5);
        ModelWarmUp.Run(warmed.Model, ModelWarmUp.MaxSteps);

        Assert.Equal(Scores(fresh.Model), Scores(warmed.Model));
    }

    private static ModelConfig Config(string family) => family == "dream" ? RandomCheckpoint.DreamConfig(vocab: 64) : RandomCheckpoint.LLaDAConfig(vocab: 64);

    private static TokenScore[] Scores(DiffusionTransformer model)
    {
        int mask = model.Config.MaskTokenId;
        ForwardSequence[] batch =
        [
            new(new[] { 5, 6, 7, mask, mask }, [3, 4], [new RowSampling(0f, 0, 0), new RowSampling(0f, 0, 0)]),
            new(new[] { 9, mask, mask }, [1, 2], [new RowSampling(0f, 0, 0), new RowSampling(0f, 0, 0)]),
        ];
        var scores = new TokenScore[4];
        model.Forward(batch, scores);
        return scores;
    }
}
