using System.Text.Json.Nodes;
using Quicksilver.Engine;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// FAKE ENGINE: the card's <c>generation_defaults</c> name what a request without the field gets, including the
/// defaults the engine settles rather than the model's <c>generation_config.json</c>.
/// </summary>
[Trait("Engine", "Fake")]
public sealed class ModelCardDefaultsTests
{
    [Theory]
    [InlineData(0, null, 16)]
    [InlineData(4, null, 4)]
    [InlineData(4, 8, 8)]
    public async Task ListModels_BlockLengthAndEps_AreTheEffectiveDefaults(int attentionBlock, int? modelBlockLength, int expected)
    {
        // The deployment's (16 here) for a model that names none, a block-diffusion model's attention block, the model's own.
        ServedModel fake = FakeServedModel.Create();
        ServedModel model = fake with
        {
            Config = fake.Config with { AttentionBlockLength = attentionBlock },
            Generation = new GenerationDefaults { BlockLength = modelBlockLength, Eps = 0.01 },
        };
        await using var factory = new QuicksilverApiFactory(model, new Dictionary<string, string?> { ["Quicksilver:Engine:DefaultBlockLength"] = "16" });
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));

        JsonNode defaults = (await response.ReadJsonObjectAsync())["data"]![0]!["generation_defaults"]!;
        Assert.Equal((expected, 0.01), (defaults["block_length"]!.GetValue<int>(), defaults["eps"]!.GetValue<double>()));
    }
}
