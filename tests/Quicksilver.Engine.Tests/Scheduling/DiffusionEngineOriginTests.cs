using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>
/// <c>origin</c> remasking through the step loop on a random Dream or LLaDA model (CPU backend): a seeded request
/// reveals the same positions and samples the same tokens every time, alone or in a batch, another seed other tokens,
/// and every answer runs to its length.
/// </summary>
public sealed class DiffusionEngineOriginTests
{
    [Theory]
    [InlineData(ModelArchitecture.Dream)]
    [InlineData(ModelArchitecture.LLaDA)]
    public async Task GenerateAsync_OriginSameSeed_SameTokensAloneAndInABatch(ModelArchitecture family)
    {
        using var test = new TestEngine(new EngineOptions(), layers: 2, architecture: family);
        GenerationRequest Request(ulong seed) => new()
        {
            PromptTokens = [7, 3, 9, 1, 4],
            MaxTokens = 24,
            BlockLength = 8,
            Steps = 12,
            Seed = seed,
            Temperature = 0.8f,
            Remasking = RemaskingStrategy.Origin,
        };

        int[] alone = await test.Collect(Request(5));
        int[][] batch = await Task.WhenAll(test.Collect(Request(5)), test.Collect(Request(6)), test.Collect(Request(5)));

        Assert.Equal(24, alone.Length);
        Assert.Equal(alone, batch[0]);
        Assert.Equal(alone, batch[2]);
        Assert.NotEqual(alone, batch[1]);
    }
}
