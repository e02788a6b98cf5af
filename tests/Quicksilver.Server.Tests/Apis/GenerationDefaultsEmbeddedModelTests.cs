using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE, REAL MODEL FOLDER: <c>models/quicksilver-tiny/generation_config.json</c> says <c>temperature: 0.0</c>,
/// <c>steps: 128</c>, <c>block_length: 32</c>; requests that leave those out get them.
/// </summary>
[Trait("Engine", "Real")]
public sealed class GenerationDefaultsEmbeddedModelTests(EmbeddedModelFixture fixture) : IClassFixture<EmbeddedModelFixture>
{
    [Fact]
    public async Task ListModels_EmbeddedModel_ReportsItsGenerationConfig()
    {
        using HttpResponseMessage response = await fixture.Client.GetAsync(new Uri("/v1/models", UriKind.Relative));

        JsonObject list = await response.ReadJsonObjectAsync();
        Assert.Equal(
            """{"temperature":0,"top_p":1,"top_k":0,"remasking":"low_confidence","alg_temp":0,"steps":128,"block_length":32,"threshold":null,"factor":null,"max_new_tokens":128,"eps":0.001}""",
            list["data"]![0]!["generation_defaults"]!.ToJsonString());
    }

    [Fact]
    public async Task CreateCompletion_NoTemperature_IsGreedyAsTheModelSays()
    {
        string[] texts = new string[3];
        JsonObject?[] extra = [new() { ["seed"] = 1 }, new() { ["seed"] = 2 }, new() { ["seed"] = 3, ["temperature"] = 0 }];
        for (int i = 0; i < texts.Length; i++)
        {
            var body = new JsonObject { ["model"] = EmbeddedModelFixture.ModelId, ["prompt"] = "The capital of France is", ["max_tokens"] = 12, ["ignore_eos"] = true };
            foreach ((string key, JsonNode? value) in extra[i]!)
            {
                body[key] = value?.DeepClone();
            }

            using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            texts[i] = (await response.ReadJsonObjectAsync())["choices"]![0]!["text"]!.GetValue<string>();
        }

        Assert.Equal(texts[2], texts[0]);
        Assert.Equal(texts[2], texts[1]);
    }
}
