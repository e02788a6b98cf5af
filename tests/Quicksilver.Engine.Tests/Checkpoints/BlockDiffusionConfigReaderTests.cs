using System.Text.Json.Nodes;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Tests.Checkpoints;

/// <summary>
/// <see cref="ModelConfigReader"/> on the block-diffusion families, SDAR and Fast-dLLM v2, whose config.json files use
/// Qwen3 and Qwen2 field names plus a block field (<c>block_size</c>, <c>bd_size</c>).
/// </summary>
public sealed class BlockDiffusionConfigReaderTests : IDisposable
{
    /// <summary>
    /// Shaped like SDAR-1.7B-Chat's config.json: Qwen3-1.7B's fields (tied head, head_dim 128, no attention bias) with
    /// SDAR's architecture, model_type, block_size and mask id. The published file was not available to read; the
    /// Qwen3 values and the presence of block_size and mask_token_id in it are assumptions.
    /// </summary>
    private const string Sdar1p7B = """
        {
          "architectures": ["SDARForCausalLM"],
          "attention_bias": false,
          "attention_dropout": 0.0,
          "auto_map": {"AutoConfig": "configuration_sdar.SDARConfig", "AutoModelForCausalLM": "modeling_sdar.SDARForCausalLM"},
          "block_size": 4,
          "bos_token_id": 151643,
          "eos_token_id": 151645,
          "head_dim": 128,
          "hidden_act": "silu",
          "hidden_size": 2048,
          "initializer_range": 0.02,
          "intermediate_size": 6144,
          "mask_token_id": 151669,
          "max_position_embeddings": 40960,
          "max_window_layers": 28,
          "model_type": "sdar",
          "num_attention_heads": 16,
          "num_hidden_layers": 28,
          "num_key_value_heads": 8,
          "rms_norm_eps": 1e-06,
          "rope_scaling": null,
          "rope_theta": 1000000,
          "sliding_window": null,
          "tie_word_embeddings": true,
          "torch_dtype": "bfloat16",
          "use_cache": true,
          "use_sliding_window": false,
          "vocab_size": 151936
        }
        """;

    /// <summary>
    /// Shaped like Efficient-Large-Model/Fast_dLLM_v2_7B's config.json: Qwen2.5-7B-Instruct's fields with the
    /// architecture, model_type and bd_size of its Fast_dLLM_QwenConfig (the published file itself was not read).
    /// </summary>
    private const string FastDllmV2_7B = """
        {
          "architectures": ["Fast_dLLM_QwenForCausalLM"],
          "attention_dropout": 0.0,
          "auto_map": {"AutoConfig": "configuration.Fast_dLLM_QwenConfig", "AutoModelForCausalLM": "modeling.Fast_dLLM_QwenForCausalLM"},
          "bd_size": 32,
          "bos_token_id": 151643,
          "eos_token_id": 151645,
          "hidden_act": "silu",
          "hidden_size": 3584,
          "initializer_range": 0.02,
          "intermediate_size": 18944,
          "layer_types": ["full_attention", "full_attention"],
          "max_position_embeddings": 32768,
          "max_window_layers": 28,
          "model_type": "Fast_dLLM_Qwen",
          "num_attention_heads": 28,
          "num_hidden_layers": 28,
          "num_key_value_heads": 4,
          "rms_norm_eps": 1e-06,
          "rope_scaling": null,
          "rope_theta": 1000000.0,
          "sliding_window": 131072,
          "tie_word_embeddings": false,
          "torch_dtype": "bfloat16",
          "use_cache": true,
          "use_sliding_window": false,
          "vocab_size": 152064
        }
        """;

    private readonly ConfigJsonFolder _configs = new();

    public void Dispose() => _configs.Dispose();

    [Fact]
    public void Read_SdarConfig_QwenThreeBlocksBlockCausalUnshifted()
    {
        ModelConfig config = ModelConfigReader.Read(_configs.Write(Sdar1p7B));

        Assert.Equal(ModelArchitecture.Sdar, config.Architecture);
        Assert.Equal((2048, 28, 16, 8, 128, 6144, 151936), (config.HiddenSize, config.LayerCount, config.HeadCount, config.KeyValueHeadCount, config.HeadDim, config.IntermediateSize, config.VocabSize));
        Assert.Equal((1e6, 1e-6, 40960), (config.RopeTheta, config.RmsNormEps, config.MaxSequenceLength));
        Assert.True(config.QueryKeyNorm);
        Assert.True(config.TieWordEmbeddings);
        Assert.False(config.QkvBias);
        Assert.False(config.ShiftLogits);
        Assert.Equal(4, config.AttentionBlockLength);
        Assert.Equal(151669, config.MaskTokenId);
        Assert.Equal([151645], config.EosTokenIds);
    }

    [Fact]
    public void Read_SdarWithoutBlockOrMaskFields_UsesSdarDefaults()
    {
        ModelConfig config = ModelConfigReader.Read(_configs.Write(Sdar1p7B, j => { j.Remove("block_size"); j.Remove("mask_token_id"); j.Remove("tie_word_embeddings"); }));

        Assert.Equal(4, config.AttentionBlockLength);
        Assert.Equal(151669, config.MaskTokenId);
        Assert.False(config.TieWordEmbeddings);
    }

    [Fact]
    public void Read_FastDllmV2Config_QwenTwoBlocksBlockCausalShifted()
    {
        ModelConfig config = ModelConfigReader.Read(_configs.Write(FastDllmV2_7B));

        Assert.Equal(ModelArchitecture.FastDllmV2, config.Architecture);
        Assert.Equal((3584, 28, 28, 4, 128), (config.HiddenSize, config.LayerCount, config.HeadCount, config.KeyValueHeadCount, config.HeadDim));
        Assert.True(config.QkvBias);
        Assert.False(config.QueryKeyNorm);
        Assert.False(config.TieWordEmbeddings);
        Assert.True(config.ShiftLogits);
        Assert.Equal(32, config.AttentionBlockLength);
        Assert.Equal(151665, config.MaskTokenId);
        Assert.Equal([151645], config.EosTokenIds);
    }

    [Fact]
    public void Read_SdarHeadDimOtherThanHiddenOverHeads_WidensTheQueries()
    {
        // SDAR-4B's shape (Qwen3-4B): 32 heads of 128 on a residual of 2560, 8 key/value heads.
        ModelConfig config = ModelConfigReader.Read(_configs.Write(Sdar1p7B, j =>
        {
            j["hidden_size"] = 2560;
            j["num_attention_heads"] = 32;
            j["num_key_value_heads"] = 8;
        }));

        Assert.Equal((128, 4096), (config.HeadDim, config.QueryWidth));
    }

    [Fact]
    public void Read_ModelTypeOnly_DetectsEachFamily()
    {
        Assert.Equal(ModelArchitecture.Sdar, ModelConfigReader.Read(_configs.Write(Sdar1p7B, j => j.Remove("architectures"))).Architecture);
        Assert.Equal(ModelArchitecture.FastDllmV2, ModelConfigReader.Read(_configs.Write(FastDllmV2_7B, j => j.Remove("architectures"))).Architecture);
    }

    [Fact]
    public void Read_AttentionBlockLength_OverridesTheFamilyBlock() =>
        Assert.Equal(8, ModelConfigReader.Read(_configs.Write(Sdar1p7B, j => j["attention_block_length"] = 8)).AttentionBlockLength);

    [Theory]
    [InlineData("block_size", "0", "must be positive, got 0")]
    [InlineData("block_size", "\"4\"", "expected an integer")]
    [InlineData("attention_bias", "true", "o_proj", "output-projection bias is not supported")]
    [InlineData("head_dim", "0", "must be positive, got 0")]
    [InlineData("head_dim", "127", "the head width 127 is odd")]
    [InlineData("layer_types", "[\"full_attention\", \"sliding_attention\"]", "'sliding_attention' layers are not supported")]
    [InlineData("rope_scaling", "{\"rope_type\": \"yarn\", \"factor\": 4.0}", "RoPE scaling")]
    [InlineData("use_sliding_window", "true", "sliding-window")]
    [InlineData("mask_token_id", "151936", "outside the vocabulary [0, 151936)")]
    public void Read_SdarUnsupportedOrInvalidField_ThrowsNamingFileAndField(string field, string json, params string[] fragments) =>
        _configs.AssertReadFails(Sdar1p7B, j => j[field] = JsonNode.Parse(json), field, fragments);

    [Theory]
    [InlineData("bd_size", "-32", "must be positive, got -32")]
    [InlineData("hidden_act", "\"gelu\"", "'gelu' is not supported")]
    [InlineData("quantization_config", "{\"quant_method\": \"awq\"}", "quantized")]
    public void Read_FastDllmV2UnsupportedOrInvalidField_ThrowsNamingFileAndField(string field, string json, string fragment) =>
        _configs.AssertReadFails(FastDllmV2_7B, j => j[field] = JsonNode.Parse(json), field, fragment);

    [Fact]
    public void Read_SdarArchitectureWithDreamModelType_ThrowsNamingBoth() =>
        _configs.AssertReadFails(Sdar1p7B, j => j["model_type"] = "Dream", "architectures", "more than one family", "DreamModel", "SDARForCausalLM");

    [Fact]
    public void Read_UnknownArchitecture_ListsTheBlockDiffusionFamilies() =>
        _configs.AssertReadFails(Sdar1p7B, j => { j["architectures"] = new JsonArray("SDARMoeForCausalLM"); j["model_type"] = "sdar_moe"; },
            "architectures", "SDARMoeForCausalLM", "SDARForCausalLM (model_type 'sdar')", "Fast_dLLM_QwenForCausalLM (model_type 'Fast_dLLM_Qwen')");
}
