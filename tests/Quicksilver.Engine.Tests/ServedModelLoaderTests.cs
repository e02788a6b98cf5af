using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.Checkpoints;
using Quicksilver.Engine.Tests.Scheduling;
using Quicksilver.Engine.Tests.TestModels;
using Quicksilver.Engine.Tokenization;
using Quicksilver.Engine.Tokenization.ChatTemplates;

namespace Quicksilver.Engine.Tests;

public sealed class ServedModelLoaderTests
{
    [Fact]
    public async Task Load_EmbeddedModel_GeneratesDeterministicallyAndStopsAtEndTokens()
    {
        using ServedModel model = ServedModelLoader.Load(RepositoryFolders.TinyModel, new EngineOptions { Threads = 2 }, NullLoggerFactory.Instance);
        var request = new GenerationRequest { PromptTokens = model.Tokenizer.Encode("The quick brown fox"), MaxTokens = 32, Seed = 3, Temperature = 0.8f };

        var first = await model.Engine.CollectAsync(request);
        var second = await model.Engine.CollectAsync(request);

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

    [Fact]
    public void Load_EmbeddedModel_LoadsItsLlama3ChatTemplate()
    {
        using ServedModel model = ServedModelLoader.Load(RepositoryFolders.TinyModel, new EngineOptions { Threads = 1 }, NullLoggerFactory.Instance);

        Assert.StartsWith("<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", model.ChatTemplate!.Render([new(ChatRoles.User, "Hi")], true), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoChatTemplate_LoadsWithoutOne()
    {
        using var folder = CopyOfTinyModel(TokenizerConfigReader.FileName, config => config.Remove("chat_template"));

        using ServedModel model = ServedModelLoader.Load(folder.Path, new EngineOptions { Threads = 1 }, NullLoggerFactory.Instance);

        Assert.Null(model.ChatTemplate);
    }

    [Fact]
    public void Load_TemplatePostProcessor_GivesCompletionsPromptsItsBos()
    {
        using var folder = CopyOfTinyModel("tokenizer.json", tokenizer => tokenizer["post_processor"] = BosTemplate("<|startoftext|>", 4157));

        using ServedModel model = ServedModelLoader.Load(folder.Path, new EngineOptions { Threads = 1, WarmUpSteps = 0 }, NullLoggerFactory.Instance);

        Assert.Equal([4157], model.PromptSpecialTokens.Prefix);
        Assert.Empty(model.PromptSpecialTokens.Suffix);
    }

    [Fact]
    public void Load_PostProcessorTokenPastTheModelsVocabulary_CheckpointExceptionNamingIt()
    {
        using var folder = CopyOfTinyModel("tokenizer.json", tokenizer =>
        {
            tokenizer["added_tokens"]!.AsArray().Add(new JsonObject { ["id"] = 5000, ["content"] = "<|far|>", ["special"] = true });
            tokenizer["post_processor"] = BosTemplate("<|far|>", 5000);
        });

        var ex = Assert.Throws<CheckpointException>(() => ServedModelLoader.Load(folder.Path, new EngineOptions { Threads = 1, WarmUpSteps = 0 }, NullLoggerFactory.Instance));

        Assert.Equal(Path.Combine(folder.Path, "tokenizer.json"), ex.FilePath);
        Assert.Equal("post_processor", ex.Subject);
        Assert.Contains("5000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnsupportedChatTemplate_CheckpointExceptionNamingFileAndField()
    {
        using var folder = CopyOfTinyModel(TokenizerConfigReader.FileName, config => config["chat_template"] = "{% for m in messages %}{{ m['content'] | no_such_filter }}{% endfor %}");

        var ex = Assert.Throws<CheckpointException>(() => ServedModelLoader.Load(folder.Path, new EngineOptions { Threads = 1 }, NullLoggerFactory.Instance));

        Assert.Equal(Path.Combine(folder.Path, "tokenizer_config.json"), ex.FilePath);
        Assert.Equal("chat_template", ex.Subject);
    }

    [Fact]
    public async Task Load_GenerationConfigEps_ReachesOriginRemasking()
    {
        // origin reveals with the probabilities of linspace(1, eps, steps + 1): generation_config.json's eps 0.5 instead
        // of the default 1e-3 reveals other positions at other steps, so the same seeded request answers differently.
        using var folder = CopyOfTinyModel("generation_config.json", config => config["eps"] = 0.5);
        using ServedModel asShipped = ServedModelLoader.Load(RepositoryFolders.TinyModel, new EngineOptions { Threads = 2 }, NullLoggerFactory.Instance);
        using ServedModel withEps = ServedModelLoader.Load(folder.Path, new EngineOptions { Threads = 2 }, NullLoggerFactory.Instance);
        var request = new GenerationRequest
        {
            PromptTokens = asShipped.Tokenizer.Encode("The quick brown fox"),
            MaxTokens = 32,
            BlockLength = 32,
            Steps = 8,
            Seed = 3,
            Temperature = 0.8f,
            Remasking = RemaskingStrategy.Origin,
            IgnoreEos = true,
        };

        List<int> shipped = await asShipped.Engine.CollectAsync(request);
        List<int> atEps = await withEps.Engine.CollectAsync(request);

        Assert.Equal(shipped, await asShipped.Engine.CollectAsync(request));
        Assert.Equal(atEps, await withEps.Engine.CollectAsync(request));
        Assert.NotEqual(shipped, atEps);
    }

    [Fact]
    public void Load_DeploymentThreshold_IsTheDefaultRuleWhenTheModelSetsNone()
    {
        using ServedModel model = ServedModelLoader.Load(RepositoryFolders.TinyModel, new EngineOptions { Threads = 1, WarmUpSteps = 0, DefaultThreshold = 0.8 }, NullLoggerFactory.Instance);

        Assert.Equal((0.8, null, 128), (model.Generation.Threshold, model.Generation.Factor, model.Generation.Steps));
    }

    [Fact]
    public void Load_ModelFactor_WinsOverTheDeploymentsThreshold()
    {
        using var folder = CopyOfTinyModel("generation_config.json", config => config["factor"] = 1.5);

        using ServedModel model = ServedModelLoader.Load(folder.Path, new EngineOptions { Threads = 1, WarmUpSteps = 0, DefaultThreshold = 0.8 }, NullLoggerFactory.Instance);

        Assert.Equal((null, 1.5), (model.Generation.Threshold, model.Generation.Factor));
    }

    /// <summary>A <c>TemplateProcessing</c> post-processor that puts <paramref name="bos"/> before the text.</summary>
    private static JsonObject BosTemplate(string bos, int id) => new()
    {
        ["type"] = "TemplateProcessing",
        ["single"] = new JsonArray(
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = bos, ["type_id"] = 0 } },
            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
        ["special_tokens"] = new JsonObject { [bos] = new JsonObject { ["id"] = bos, ["ids"] = new JsonArray(id), ["tokens"] = new JsonArray(bos) } },
    };

    /// <summary>A copy of the embedded model with one of its JSON files edited.</summary>
    private static TempFolder CopyOfTinyModel(string jsonFile, Action<JsonObject> edit)
    {
        var folder = new TempFolder();
        foreach (string file in Directory.GetFiles(RepositoryFolders.TinyModel))
        {
            File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        }

        string path = Path.Combine(folder.Path, jsonFile);
        JsonObject json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
        return folder;
    }
}
