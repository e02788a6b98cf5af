using System.Text.Json.Nodes;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Tests.Checkpoints;

public sealed class ModelConfigReaderTests : IDisposable
{
    /// <summary>Shaped like GSAI-ML/LLaDA-8B-Instruct's config.json (OLMo-style names, plus fields the reader ignores).</summary>
    private const string LLaDA8B = """
        {
          "activation_type": "silu",
          "alibi": false,
          "alibi_bias_max": 8.0,
          "architectures": ["LLaDAModelLM"],
          "attention_dropout": 0.0,
          "attention_layer_norm": false,
          "auto_map": {"AutoConfig": "configuration_llada.LLaDAConfig", "AutoModel": "modeling_llada.LLaDAModelLM"},
          "block_type": "llama",
          "clip_qkv": null,
          "d_model": 4096,
          "embedding_size": 126464,
          "eos_token_id": 126081,
          "flash_attention": false,
          "include_bias": false,
          "include_qkv_bias": false,
          "init_device": "meta",
          "layer_norm_type": "rms",
          "mask_token_id": 126336,
          "max_sequence_length": 4096,
          "mlp_hidden_size": 12288,
          "mlp_ratio": 4,
          "model_type": "llada",
          "multi_query_attention": null,
          "n_heads": 32,
          "n_kv_heads": 32,
          "n_layers": 32,
          "pad_token_id": 126081,
          "rms_norm_eps": 1e-05,
          "rope": true,
          "rope_full_precision": true,
          "rope_theta": 500000.0,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.46.3",
          "use_cache": false,
          "vocab_size": 126464,
          "weight_tying": false
        }
        """;

    /// <summary>Shaped like Dream-v0-Instruct-7B's config.json (Qwen2 names).</summary>
    private const string Dream7B = """
        {
          "architectures": ["DreamModel"],
          "attention_dropout": 0.0,
          "bos_token_id": 151643,
          "eos_token_id": 151643,
          "hidden_act": "silu",
          "hidden_size": 3584,
          "initializer_range": 0.02,
          "intermediate_size": 18944,
          "mask_token_id": 151666,
          "max_position_embeddings": 131072,
          "max_window_layers": 28,
          "model_type": "Dream",
          "num_attention_heads": 28,
          "num_hidden_layers": 28,
          "num_key_value_heads": 4,
          "pad_token_id": 151643,
          "rms_norm_eps": 1e-06,
          "rope_scaling": null,
          "rope_theta": 1000000.0,
          "sliding_window": null,
          "tie_word_embeddings": false,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.46.2",
          "use_cache": true,
          "use_sliding_window": false,
          "vocab_size": 152064
        }
        """;

    private readonly ConfigJsonFolder _configs = new();

    public void Dispose() => _configs.Dispose();

    // ---- LLaDA ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Read_LLaDA8BConfig_ReadsEveryField()
    {
        ModelConfig config = ModelConfigReader.Read(_configs.Write(LLaDA8B));

        Assert.Equal(ModelArchitecture.LLaDA, config.Architecture);
        Assert.Equal(4096, config.HiddenSize);
        Assert.Equal(32, config.LayerCount);
        Assert.Equal(32, config.HeadCount);
        Assert.Equal(32, config.KeyValueHeadCount);
        Assert.Equal(128, config.HeadDim);
        Assert.Equal(12288, config.IntermediateSize);
        Assert.Equal(126464, config.VocabSize);
        Assert.Equal(500000.0, config.RopeTheta);
        Assert.Equal(1e-5, config.RmsNormEps);
        Assert.Equal(4096, config.MaxSequenceLength);
        Assert.False(config.QkvBias);
        Assert.False(config.ShiftLogits);
        Assert.Equal(126336, config.MaskTokenId);
        Assert.Equal([126081], config.EosTokenIds);
    }

    [Fact]
    public void Read_LLaDAMinimalConfig_AppliesDefaults()
    {
        string path = _configs.Folder.WriteText(CheckpointFileNames.Config, """
            {"model_type": "llada", "d_model": 256, "n_layers": 2, "n_heads": 4, "mlp_hidden_size": 512, "vocab_size": 130000}
            """);

        ModelConfig config = ModelConfigReader.Read(path);

        Assert.Equal(ModelArchitecture.LLaDA, config.Architecture);
        Assert.Equal(4, config.KeyValueHeadCount);
        Assert.Equal(130000, config.VocabSize);
        Assert.Equal(10000.0, config.RopeTheta);
        Assert.Equal(1e-5, config.RmsNormEps);
        Assert.Equal(4096, config.MaxSequenceLength);
        Assert.Equal(126336, config.MaskTokenId);
        Assert.Equal([126081], config.EosTokenIds);
        Assert.False(config.QkvBias);
    }

    [Fact]
    public void Read_LLaDAEmbeddingSizeLargerThanVocab_UsesEmbeddingSize()
    {
        ModelConfig config = ModelConfigReader.Read(_configs.Write(LLaDA8B, j => { j["vocab_size"] = 126349; j["embedding_size"] = 126464; }));
        Assert.Equal(126464, config.VocabSize);
    }

    [Fact]
    public void Read_LLaDAEosList_ReadsAllIds()
    {
        ModelConfig config = ModelConfigReader.Read(_configs.Write(LLaDA8B, j => j["eos_token_id"] = new JsonArray(126081, 126348)));
        Assert.Equal([126081, 126348], config.EosTokenIds);
    }

    [Fact]
    public void Read_LLaDAQkvBias_SetsQkvBias()
    {
        Assert.True(ModelConfigReader.Read(_configs.Write(LLaDA8B, j => j["include_qkv_bias"] = true)).QkvBias);
    }

    [Fact]
    public void Read_LLaDAKvHeadsNull_DefaultsToHeads()
    {
        ModelConfig config = ModelConfigReader.Read(_configs.Write(LLaDA8B, j => j["n_kv_heads"] = null));
        Assert.Equal(32, config.KeyValueHeadCount);
    }

    [Fact]
    public void Read_LLaDAIncludeBias_ThrowsUnsupported() =>
        _configs.AssertReadFails(LLaDA8B, j => j["include_bias"] = true, "include_bias", "not supported");

    [Fact]
    public void Read_LLaDAWeightTying_ThrowsTiedEmbeddings() =>
        _configs.AssertReadFails(LLaDA8B, j => j["weight_tying"] = true, "weight_tying", "tied embeddings are not supported");

    [Theory]
    [InlineData("alibi", "true", "ALiBi")]
    [InlineData("rope", "false", "without RoPE")]
    [InlineData("attention_layer_norm", "true", "q/k layer norms")]
    [InlineData("clip_qkv", "8.0", "clipping")]
    [InlineData("layer_norm_type", "\"default\"", "'default' is not supported")]
    [InlineData("activation_type", "\"swiglu\"", "'swiglu' is not supported")]
    [InlineData("block_type", "\"sequential\"", "'sequential' is not supported")]
    [InlineData("quantization", "{\"bits\": 4}", "quantized")]
    public void Read_LLaDAUnsupportedFeature_ThrowsNamingField(string field, string json, string fragment) =>
        _configs.AssertReadFails(LLaDA8B, j => j[field] = JsonNode.Parse(json), field, fragment);

    [Theory]
    [InlineData("d_model")]
    [InlineData("n_layers")]
    [InlineData("n_heads")]
    public void Read_LLaDAMissingRequiredField_ThrowsNamingFieldAndType(string field) =>
        _configs.AssertReadFails(LLaDA8B, j => j.Remove(field), field, "missing", "integer");

    [Fact]
    public void Read_LLaDAMissingVocab_ThrowsNamingVocabSize() =>
        _configs.AssertReadFails(LLaDA8B, j => { j.Remove("vocab_size"); j.Remove("embedding_size"); }, "vocab_size", "missing");

    [Fact]
    public void Read_LLaDAMissingMlpHiddenSizeAndRatio_ThrowsNamingField() =>
        _configs.AssertReadFails(LLaDA8B, j => { j.Remove("mlp_hidden_size"); j.Remove("mlp_ratio"); }, "mlp_hidden_size", "missing");

    [Fact]
    public void Read_LLaDAMissingMlpHiddenSize_UsesRatio()
    {
        ModelConfig config = ModelConfigReader.Read(_configs.Write(LLaDA8B, j => j.Remove("mlp_hidden_size")));
        Assert.Equal(4 * 4096, config.IntermediateSize);
    }

    [Theory]
    [InlineData("d_model", "\"4096\"", "expected an integer, got a string")]
    [InlineData("n_layers", "32.5", "expected a 32-bit integer, got a number (32.5)")]
    [InlineData("rope_theta", "\"500000\"", "expected a number")]
    [InlineData("include_qkv_bias", "\"false\"", "expected a boolean")]
    [InlineData("eos_token_id", "\"126081\"", "expected an integer or an array of integers")]
    [InlineData("eos_token_id", "[126081, \"x\"]", "item 1 is a string")]
    [InlineData("eos_token_id", "[]", "non-empty")]
    [InlineData("architectures", "\"LLaDAModelLM\"", null)]
    [InlineData("architectures", "[1]", "expected an array of strings")]
    [InlineData("model_type", "7", "expected a string")]
    public void Read_LLaDAWrongJsonType_ThrowsNamingFieldAndType(string field, string json, string? fragment)
    {
        string path = _configs.Write(LLaDA8B, j => j[field] = JsonNode.Parse(json));
        if (fragment is null)
        {
            // A bare string is accepted as a one-element list.
            Assert.Equal(ModelArchitecture.LLaDA, ModelConfigReader.Read(path).Architecture);
            return;
        }

        CheckpointAssert.Throws(() => ModelConfigReader.Read(path), path, field, fragment);
    }

    [Fact]
    public void Read_LLaDAHiddenNotDivisibleByHeads_ThrowsNamingField() =>
        _configs.AssertReadFails(LLaDA8B, j => j["n_heads"] = 30, "d_model", "4096 is not divisible by n_heads (30)");

    [Fact]
    public void Read_LLaDAHeadsNotDivisibleByKvHeads_ThrowsNamingField() =>
        _configs.AssertReadFails(LLaDA8B, j => j["n_kv_heads"] = 5, "n_kv_heads", "n_heads (32) is not divisible by n_kv_heads (5)");

    [Fact]
    public void Read_LLaDAOddHeadDim_ThrowsNamingField() =>
        _configs.AssertReadFails(LLaDA8B, j => { j["d_model"] = 96; j["n_heads"] = 32; j["n_kv_heads"] = 32; }, "n_heads", "= 3 is odd", "RoPE");

    [Theory]
    [InlineData("n_layers", 0)]
    [InlineData("d_model", -4096)]
    [InlineData("mlp_hidden_size", 0)]
    [InlineData("n_kv_heads", 0)]
    [InlineData("max_sequence_length", 0)]
    public void Read_LLaDANonPositiveSize_ThrowsNamingField(string field, int value) =>
        _configs.AssertReadFails(LLaDA8B, j => j[field] = value, field, $"must be positive, got {value}");

    [Fact]
    public void Read_LLaDAEmbeddingSizeBelowVocab_ThrowsNamingEmbeddingSize() =>
        _configs.AssertReadFails(LLaDA8B, j => j["embedding_size"] = 1000, "embedding_size", "smaller than vocab_size (126464)");

    [Fact]
    public void Read_LLaDAMaskTokenOutsideVocab_ThrowsNamingField() =>
        _configs.AssertReadFails(LLaDA8B, j => j["mask_token_id"] = 126464, "mask_token_id", "outside the vocabulary [0, 126464)");

    [Fact]
    public void Read_LLaDAEosIsMaskToken_ThrowsNamingEos() =>
        _configs.AssertReadFails(LLaDA8B, j => j["eos_token_id"] = 126336, "eos_token_id", "mask token");

    [Fact]
    public void Read_LLaDANonPositiveRopeTheta_ThrowsNamingField() =>
        _configs.AssertReadFails(LLaDA8B, j => j["rope_theta"] = 0, "rope_theta", "must be positive");

    // ---- Dream ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Read_DreamConfig_ReadsEveryField()
    {
        ModelConfig config = ModelConfigReader.Read(_configs.Write(Dream7B));

        Assert.Equal(ModelArchitecture.Dream, config.Architecture);
        Assert.Equal(3584, config.HiddenSize);
        Assert.Equal(28, config.LayerCount);
        Assert.Equal(28, config.HeadCount);
        Assert.Equal(4, config.KeyValueHeadCount);
        Assert.Equal(128, config.HeadDim);
        Assert.Equal(18944, config.IntermediateSize);
        Assert.Equal(152064, config.VocabSize);
        Assert.Equal(1e6, config.RopeTheta);
        Assert.Equal(1e-6, config.RmsNormEps);
        Assert.Equal(131072, config.MaxSequenceLength);
        Assert.True(config.QkvBias);
        Assert.True(config.ShiftLogits);
        Assert.Equal(151666, config.MaskTokenId);
        Assert.Equal([151643], config.EosTokenIds);
    }

    [Fact]
    public void Read_DreamMinimalConfig_AppliesDefaults()
    {
        string path = _configs.Folder.WriteText(CheckpointFileNames.Config, """
            {"architectures": ["DreamModel"], "hidden_size": 256, "num_hidden_layers": 2, "num_attention_heads": 4,
             "intermediate_size": 512, "vocab_size": 152064}
            """);

        ModelConfig config = ModelConfigReader.Read(path);

        Assert.Equal(ModelArchitecture.Dream, config.Architecture);
        Assert.Equal(4, config.KeyValueHeadCount);
        Assert.Equal(1e6, config.RopeTheta);
        Assert.Equal(1e-6, config.RmsNormEps);
        Assert.Equal(2048, config.MaxSequenceLength);
        Assert.Equal(151666, config.MaskTokenId);
        Assert.Equal([151643], config.EosTokenIds);
        Assert.True(config.QkvBias);
        Assert.True(config.ShiftLogits);
    }

    [Fact]
    public void Read_DreamTiedEmbeddings_ThrowsNamingField() =>
        _configs.AssertReadFails(Dream7B, j => j["tie_word_embeddings"] = true, "tie_word_embeddings", "tied embeddings are not supported");

    [Theory]
    [InlineData("hidden_size")]
    [InlineData("num_hidden_layers")]
    [InlineData("num_attention_heads")]
    [InlineData("intermediate_size")]
    [InlineData("vocab_size")]
    public void Read_DreamMissingRequiredField_ThrowsNamingFieldAndType(string field) =>
        _configs.AssertReadFails(Dream7B, j => j.Remove(field), field, "missing", "integer");

    [Fact]
    public void Read_DreamHeadsNotDivisibleByKvHeads_ThrowsNamingQwenField() =>
        _configs.AssertReadFails(Dream7B, j => j["num_key_value_heads"] = 3, "num_key_value_heads", "num_attention_heads (28) is not divisible");

    [Theory]
    [InlineData("rope_scaling", "{\"type\": \"yarn\", \"factor\": 4.0}", "RoPE scaling")]
    [InlineData("use_sliding_window", "true", "sliding-window")]
    [InlineData("hidden_act", "\"gelu\"", "'gelu' is not supported")]
    [InlineData("head_dim", "64", "differs from hidden_size / num_attention_heads")]
    [InlineData("quantization_config", "{\"quant_method\": \"awq\"}", "quantized")]
    public void Read_DreamUnsupportedFeature_ThrowsNamingField(string field, string json, string fragment) =>
        _configs.AssertReadFails(Dream7B, j => j[field] = JsonNode.Parse(json), field, fragment);

    // ---- architecture and file ------------------------------------------------------------------------------------

    [Fact]
    public void Read_UnknownArchitecture_ThrowsListingSupported() =>
        _configs.AssertReadFails(Dream7B, j => { j["architectures"] = new JsonArray("LlamaForCausalLM"); j["model_type"] = "llama"; },
            "architectures", "LlamaForCausalLM", "'llama'", "supported: LLaDAModelLM", "DreamModel");

    [Fact]
    public void Read_NoArchitectureOrModelType_ThrowsNamingArchitectures() =>
        _configs.AssertReadFails(Dream7B, j => { j.Remove("architectures"); j.Remove("model_type"); }, "architectures", "model_type absent");

    [Fact]
    public void Read_ConflictingArchitecture_ThrowsNamingArchitectures() =>
        _configs.AssertReadFails(Dream7B, j => j["model_type"] = "llada", "architectures", "more than one family", "LLaDAModelLM and DreamModel");

    [Fact]
    public void Read_ModelTypeOnly_DetectsDream()
    {
        ModelConfig config = ModelConfigReader.Read(_configs.Write(Dream7B, j => j.Remove("architectures")));
        Assert.Equal(ModelArchitecture.Dream, config.Architecture);
    }

    [Fact]
    public void Read_MissingFile_ThrowsNamingFile()
    {
        string path = _configs.Folder.File(CheckpointFileNames.Config);
        CheckpointAssert.Throws(() => ModelConfigReader.Read(path), path, null, "does not exist");
    }

    [Theory]
    [InlineData("{\"d_model\": 4096,")]
    [InlineData("[1, 2]")]
    public void Read_NotAJsonObject_ThrowsNamingFile(string text)
    {
        string path = _configs.Folder.WriteText(CheckpointFileNames.Config, text);
        CheckpointAssert.Throws(() => ModelConfigReader.Read(path), path, null);
    }

    // ---- Either family -------------------------------------------------------------------------------------------

    [Fact]
    public void Read_AttentionBlockLength_BlockCausalInEitherFamily()
    {
        Assert.Equal(0, ModelConfigReader.Read(_configs.Write(LLaDA8B)).AttentionBlockLength);
        Assert.Equal(32, ModelConfigReader.Read(_configs.Write(LLaDA8B, j => j["attention_block_length"] = 32)).AttentionBlockLength);
        Assert.Equal(4, ModelConfigReader.Read(_configs.Write(Dream7B, j => j["attention_block_length"] = 4)).AttentionBlockLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-8)]
    public void Read_AttentionBlockLengthNotPositive_ThrowsNamingField(int value) =>
        _configs.AssertReadFails(Dream7B, j => j["attention_block_length"] = value, "attention_block_length", "must be positive");
}
