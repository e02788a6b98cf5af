using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Models;

/// <summary>
/// OpenAI's <c>logit_bias</c> in the forward pass (<see cref="ForwardSequence.LogitBias"/>,
/// <see cref="IComputeBackend.AddLogitBias"/>) on the CPU backend: exactly the bias is added, on the sequence's own rows,
/// and it steers the draw.
/// </summary>
public sealed class LogitBiasTests : IDisposable
{
    private static readonly ModelConfig Config = RandomCheckpoint.LLaDAConfig();
    private readonly RandomTransformer transformer = new(Config, seed: 21);

    private DiffusionTransformer Model => transformer.Model;

    private IComputeBackend Backend => transformer.Model.Backend;

    public void Dispose() => transformer.Dispose();

    [Fact]
    public void ComputeLogits_LogitBias_AddedExactlyToItsOwnSequencesRows()
    {
        TokenBias[] biases = [new(2, 3.5f), new(7, -100f), new(Config.VocabSize - 1, 0.25f)];
        ForwardSequence[] plain = [Step(1, 4), Step(2, 3), Step(3, 2)];
        ForwardSequence[] biased = [plain[0], plain[1] with { LogitBias = biases }, plain[2]];

        float[] expected = Model.ComputeLogits(plain);
        float[] actual = Model.ComputeLogits(biased);

        int vocab = Config.VocabSize;
        for (int row = 0; row < 9; row++)
        {
            bool own = row is >= 4 and < 7;
            for (int token = 0; token < vocab; token++)
            {
                float bias = own ? biases.FirstOrDefault(b => b.Token == token).Bias : 0f;
                Assert.Equal(expected[(row * vocab) + token] + bias, actual[(row * vocab) + token]);
            }
        }
    }

    [Fact]
    public void Forward_LogitBias_BansAndForcesTokensInTheDraw()
    {
        ForwardSequence step = Step(4, 6);
        TokenScore[] unbiased = Scores(step);
        TokenBias[] banned = [.. unbiased.Select(s => s.Token).Distinct().Select(t => new TokenBias(t, -100f))];

        TokenScore[] withBans = Scores(step with { LogitBias = banned });
        TokenScore[] forced = Scores(step with { LogitBias = [new TokenBias(9, 100f)] });

        Assert.All(withBans, s => Assert.DoesNotContain(s.Token, banned.Select(b => b.Token)));
        Assert.All(forced, s => Assert.Equal(9, s.Token));
        Assert.All(forced, s => Assert.True(s.Probability > 0.999f, $"p = {s.Probability}"));
    }

    [Fact]
    public void AddLogitBias_SpansThatOverlapOrNameATokenTwice_AreRefused()
    {
        using IDeviceBuffer logits = Backend.Allocate(4, 10, BufferKind.Logits);
        Backend.Upload(new float[40], logits);
        TokenBias[] biases = [new(1, 1f), new(2, 1f), new(1, 2f)];

        Assert.Throws<ArgumentException>(() => Backend.AddLogitBias(logits, [new(0, 2, 0, 2), new(1, 2, 0, 2)], biases));
        Assert.Throws<ArgumentException>(() => Backend.AddLogitBias(logits, [new(0, 2, 0, 3)], biases));
        Assert.Throws<ArgumentException>(() => Backend.AddLogitBias(logits, [new(3, 2, 0, 1)], biases));
        Assert.Throws<ArgumentException>(() => Backend.AddLogitBias(logits, [new(0, 1, 2, 2)], biases));
        Assert.Throws<ArgumentException>(() => Backend.AddLogitBias(logits, [new(0, 1, 0, 1)], [new(10, 1f)]));
    }

    private TokenScore[] Scores(ForwardSequence step)
    {
        var scores = new TokenScore[step.ScorePositions.Count];
        Model.Forward([step], scores);
        return scores;
    }

    /// <summary>A canvas of <paramref name="prompt"/> random tokens then <paramref name="masks"/> masks, scoring the masks greedily.</summary>
    private static ForwardSequence Step(int seed, int masks, int prompt = 5)
    {
        var random = new Random(seed);
        int[] canvas = [.. Enumerable.Range(0, prompt).Select(_ => random.Next(Config.VocabSize - 1)), .. Enumerable.Repeat(Config.MaskTokenId, masks)];
        int[] positions = [.. Enumerable.Range(prompt, masks)];
        return new ForwardSequence(canvas, positions, [.. positions.Select(_ => new RowSampling(0f, 0, 0))]);
    }
}
