using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.Checkpoints;
using Quicksilver.Engine.Tests.Scheduling;
using Quicksilver.Engine.Tests.TestModels;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Tests;

/// <summary>
/// SDAR and Fast-dLLM v2 folders in their published formats (config.json written by hand in their field names, the
/// safetensors in Qwen3/Qwen2 tensor names, the embedded model's tokenizer) load through <see cref="ServedModelLoader"/>
/// and generate; their exact block caches give the tokens of the no-cache path.
/// </summary>
public sealed class BlockDiffusionModelLoadTests : IDisposable
{
    // The configs use the embedded tokenizer's vocabulary (4224), <|mdm_mask|> (4158) and <|endoftext|> (4156).
    private const int Mask = 4158;

    private const string SdarConfig = """
        {"architectures": ["SDARForCausalLM"], "model_type": "sdar", "hidden_size": 32, "num_hidden_layers": 2,
         "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "intermediate_size": 48, "vocab_size": 4224,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-06, "max_position_embeddings": 512, "attention_bias": false,
         "tie_word_embeddings": true, "use_sliding_window": false, "sliding_window": null, "rope_scaling": null,
         "hidden_act": "silu", "block_size": 4, "mask_token_id": 4158, "eos_token_id": 4156}
        """;

    private const string FastDllmV2Config = """
        {"architectures": ["Fast_dLLM_QwenForCausalLM"], "model_type": "Fast_dLLM_Qwen", "hidden_size": 32,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 48,
         "vocab_size": 4224, "rope_theta": 1000000.0, "rms_norm_eps": 1e-06, "max_position_embeddings": 512,
         "tie_word_embeddings": false, "use_sliding_window": false, "sliding_window": 131072, "rope_scaling": null,
         "layer_types": ["full_attention", "full_attention"], "hidden_act": "silu", "bd_size": 8,
         "mask_token_id": 4158, "eos_token_id": 4156}
        """;

    private readonly TempFolder _configs = new();

    public void Dispose() => _configs.Dispose();

    [Theory]
    [InlineData(SdarConfig, ModelArchitecture.Sdar, 4)]
    [InlineData(FastDllmV2Config, ModelArchitecture.FastDllmV2, 8)]
    public async Task Load_PublishedFormat_GeneratesTheSameTokensWithEveryCacheMode(string configJson, ModelArchitecture architecture, int attentionBlock)
    {
        using RandomCheckpoint checkpoint = FolderOf(configJson);
        using ServedModel model = ServedModelLoader.Load(checkpoint.Folder, new EngineOptions { Threads = 2 }, NullLoggerFactory.Instance);
        var request = new GenerationRequest
        {
            PromptTokens = model.Tokenizer.Encode("The quick brown fox"),
            MaxTokens = 16,
            BlockLength = 8,
            Steps = 8,
            Seed = 5,
            Temperature = 0.7f,
            IgnoreEos = true,
        };

        List<int> exact = await model.Engine.CollectAsync(request with { KvCache = KvCacheMode.None });
        List<int> prefix = await model.Engine.CollectAsync(request with { KvCache = KvCacheMode.Prefix });
        List<int> dual = await model.Engine.CollectAsync(request with { KvCache = KvCacheMode.Dual });

        Assert.Equal((architecture, attentionBlock), (model.Config.Architecture, model.Config.AttentionBlockLength));
        Assert.Equal(16, exact.Count);
        Assert.DoesNotContain(Mask, exact);
        Assert.Equal(exact, prefix);
        Assert.Equal(exact, dual);
    }

    [Fact]
    public void Load_SdarCheckpointWithoutQueryNorm_CheckpointExceptionNamingTensor()
    {
        ModelConfig config = ModelConfigReader.Read(WriteConfig(SdarConfig));
        ModelConfig withoutNorms = config with { QueryKeyNorm = false };
        using RandomCheckpoint checkpoint = RandomCheckpoint.Create(withoutNorms, TensorDType.BF16, seed: 3);
        using ITensorSource tensors = CheckpointLoader.Open(checkpoint.Folder);
        using var backend = new CpuBackend();

        var ex = Assert.Throws<CheckpointException>(() => new DiffusionTransformer(config, tensors, backend));

        Assert.Equal("model.layers.0.self_attn.q_norm.weight", ex.Subject);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    // A random checkpoint of the config's shapes, with the config and the embedded model's tokenizer beside it.
    private RandomCheckpoint FolderOf(string configJson)
    {
        ModelConfig config = ModelConfigReader.Read(WriteConfig(configJson));
        RandomCheckpoint checkpoint = RandomCheckpoint.Create(config, TensorDType.BF16, seed: 13);
        File.WriteAllText(Path.Combine(checkpoint.Folder, CheckpointFileNames.Config), configJson);
        foreach (string file in new[] { "tokenizer.json", TokenizerConfigReader.FileName })
        {
            File.Copy(Path.Combine(RepositoryFolders.TinyModel, file), Path.Combine(checkpoint.Folder, file));
        }

        return checkpoint;
    }

    private string WriteConfig(string configJson) => _configs.WriteText($"{Guid.NewGuid():N}.json", configJson);
}
