using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests;

public sealed class ServedModelLoaderTests
{
    [Fact]
    public async Task Load_EmbeddedModel_GeneratesDeterministicallyAndStopsAtEndTokens()
    {
        using ServedModel model = ServedModelLoader.Load(RepositoryFolders.TinyModel, new EngineOptions { Threads = 2 }, NullLoggerFactory.Instance);
        var request = new GenerationRequest { PromptTokens = model.Tokenizer.Encode("The quick brown fox"), MaxTokens = 32, Seed = 3, Temperature = 0.8f };

        var first = await Generate(model.Engine, request);
        var second = await Generate(model.Engine, request);

        Assert.Equal("quicksilver-tiny", model.Id);
        Assert.Equal("cpu", model.BackendName);
        Assert.Equal(first, second);
        int eos = model.Tokenizer.TokenToId("<|endoftext|>")!.Value;
        int eot = model.Tokenizer.TokenToId("<|eot_id|>")!.Value;
        Assert.DoesNotContain(eos, first);
        Assert.DoesNotContain(eot, first);
    }

    [Fact]
    public void Load_MissingFolder_CheckpointExceptionNamingIt()
    {
        string folder = Path.Combine(Path.GetTempPath(), "qs-no-such-model-" + Guid.NewGuid().ToString("N"));

        var ex = Assert.Throws<CheckpointException>(() => ServedModelLoader.Load(folder, new EngineOptions(), NullLoggerFactory.Instance));

        Assert.Contains(folder, ex.Message, StringComparison.Ordinal);
    }

    private static async Task<List<int>> Generate(IGenerationEngine engine, GenerationRequest request)
    {
        var tokens = new List<int>();
        await foreach (GenerationUpdate update in engine.GenerateAsync(request, CancellationToken.None))
        {
            tokens.AddRange(update.Tokens);
        }

        return tokens;
    }
}
