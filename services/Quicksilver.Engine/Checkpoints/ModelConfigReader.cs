using System.Text.Json;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Checkpoints;

/// <summary>
/// Reads a model folder's <c>config.json</c> into a <see cref="ModelConfig"/>, for the families the engine serves:
/// LLaDA (<c>architectures: ["LLaDAModelLM"]</c> or <c>model_type: "llada"</c>, OLMo-style field names) and, with
/// Qwen2/Qwen3 field names, Dream (<c>DreamModel</c> / <c>Dream</c>), SDAR (<c>SDARForCausalLM</c> / <c>sdar</c>) and
/// Fast-dLLM v2 (<c>Fast_dLLM_QwenForCausalLM</c> / <c>Fast_dLLM_Qwen</c>); see <see cref="QwenFamily"/>.
/// Features the engine does not implement (biases beyond q/k/v, ALiBi, sliding windows, RoPE scaling, quantization…)
/// are rejected here, by field, rather than producing a model that computes the wrong thing. Any family may set <c>attention_block_length</c> (a Quicksilver extension, no published checkpoint
/// has it): a positive block length makes attention block-causal (<see cref="ModelConfig.AttentionBlockLength"/>),
/// overriding SDAR's <c>block_size</c> and Fast-dLLM v2's <c>bd_size</c>.
/// </summary>
public static class ModelConfigReader
{
    private const string LLaDAArchitecture = "LLaDAModelLM";
    private const string LLaDAModelType = "llada";
    private const string AttentionBlockLengthField = "attention_block_length";
    private const string HeadDimField = "head_dim";

    /// <summary>Reads and validates <paramref name="configJsonPath"/>.</summary>
    /// <exception cref="CheckpointException">
    /// The file is missing or malformed, the architecture is not supported, a required field is missing or has the
    /// wrong JSON type, a value makes no sense, or it asks for a feature the engine lacks. The message names the field.
    /// </exception>
    public static ModelConfig Read(string configJsonPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(configJsonPath);
        string path = Path.GetFullPath(configJsonPath);
        JsonElement root = JsonFields.LoadObject(path);
        RejectQuantization(path, root);
        QwenFamily? family = Detect(path, root);
        ModelConfig config = family is null ? ReadLLaDA(path, root) : ReadQwen(path, root, family);
        int? blockLength = JsonFields.OptionalInt(path, root, AttentionBlockLengthField);
        if (blockLength is not null)
        {
            RequirePositive(path, AttentionBlockLengthField, blockLength.Value);
            config = config with { AttentionBlockLength = blockLength.Value };
        }

        bool namedHeadDim = family is { ReadsHeadDim: true } && JsonFields.TryGet(root, HeadDimField, out _);
        Validate(path, config, family is null ? ConfigFieldNames.LLaDA : ConfigFieldNames.Dream, namedHeadDim);
        return config;
    }

    /// <summary>The Qwen-named family the config declares, or null for LLaDA.</summary>
    private static QwenFamily? Detect(string path, JsonElement root)
    {
        IReadOnlyList<string> architectures = JsonFields.OptionalStringOrList(path, root, "architectures") ?? [];
        string? modelType = JsonFields.OptionalString(path, root, "model_type");
        bool Declares(string architecture, string type) =>
            architectures.Contains(architecture) || string.Equals(modelType, type, StringComparison.OrdinalIgnoreCase);

        var named = new List<string>();
        if (Declares(LLaDAArchitecture, LLaDAModelType))
        {
            named.Add(LLaDAArchitecture);
        }

        List<QwenFamily> families = QwenFamily.All.Where(f => Declares(f.ArchitectureName, f.ModelType)).ToList();
        named.AddRange(families.Select(f => f.ArchitectureName));
        string seen = $"architectures [{string.Join(", ", architectures)}], model_type {(modelType is null ? "absent" : $"'{modelType}'")}";
        if (named.Count > 1)
        {
            throw new CheckpointException(path, "architectures", $"names more than one family: {string.Join(" and ", named)} ({seen})");
        }

        if (named.Count == 0)
        {
            string supported = string.Join(", ", QwenFamily.All.Select(f => $"{f.ArchitectureName} (model_type '{f.ModelType}')").Prepend($"{LLaDAArchitecture} (model_type '{LLaDAModelType}')"));
            throw new CheckpointException(path, "architectures", $"unsupported model ({seen}); supported: {supported}");
        }

        return families.FirstOrDefault();
    }

    private static ModelConfig ReadLLaDA(string path, JsonElement root)
    {
        ConfigFieldNames f = ConfigFieldNames.LLaDA;
        RejectIf(path, JsonFields.OptionalBool(path, root, "include_bias") == true, "include_bias",
            "biases on every linear layer are not supported (only q/k/v biases via include_qkv_bias)");
        RejectIf(path, JsonFields.OptionalBool(path, root, "weight_tying") == true, "weight_tying",
            "tied embeddings are not supported: the engine needs a separate output head (ff_out)");
        RejectIf(path, JsonFields.OptionalBool(path, root, "alibi") == true, "alibi", "ALiBi is not supported; the engine uses RoPE");
        RejectIf(path, JsonFields.OptionalBool(path, root, "rope") == false, "rope", "models without RoPE are not supported");
        RejectIf(path, JsonFields.OptionalBool(path, root, "attention_layer_norm") == true, "attention_layer_norm", "q/k layer norms are not supported");
        RejectIf(path, JsonFields.TryGet(root, "clip_qkv", out _), "clip_qkv", "clipping q/k/v is not supported");
        RequireValue(path, root, "block_type", "llama");
        RequireValue(path, root, "layer_norm_type", "rms");
        RequireValue(path, root, "activation_type", "silu");

        int hidden = JsonFields.RequiredInt(path, root, f.Hidden);
        int heads = JsonFields.RequiredInt(path, root, f.Heads);
        int? kvHeads = JsonFields.OptionalInt(path, root, f.KeyValueHeads);
        if (kvHeads is null && JsonFields.OptionalBool(path, root, "multi_query_attention") == true)
        {
            kvHeads = 1;
        }

        int? intermediate = JsonFields.OptionalInt(path, root, f.Intermediate);
        if (intermediate is null)
        {
            int ratio = JsonFields.OptionalInt(path, root, "mlp_ratio")
                ?? throw new CheckpointException(path, f.Intermediate, "required field is missing (expected an integer; mlp_ratio is absent too)");
            intermediate = (int)Math.Min(int.MaxValue, (long)ratio * hidden);
        }

        int? vocab = JsonFields.OptionalInt(path, root, f.Vocab);
        int? embedding = JsonFields.OptionalInt(path, root, "embedding_size");
        if (embedding is not null && vocab is not null && embedding < vocab)
        {
            throw new CheckpointException(path, "embedding_size",
                $"{embedding} is smaller than {f.Vocab} ({vocab}); the embedding needs a row per token");
        }

        return new ModelConfig
        {
            Architecture = ModelArchitecture.LLaDA,
            HiddenSize = hidden,
            LayerCount = JsonFields.RequiredInt(path, root, f.Layers),
            HeadCount = heads,
            KeyValueHeadCount = kvHeads ?? heads,
            IntermediateSize = intermediate.Value,

            // embedding_size is the row count of wte and ff_out (vocab_size rounded up); logits span all of them.
            VocabSize = embedding ?? vocab ?? throw new CheckpointException(path, f.Vocab, "required field is missing (expected an integer)"),
            RopeTheta = JsonFields.OptionalDouble(path, root, f.RopeTheta) ?? 10000.0,
            RmsNormEps = JsonFields.OptionalDouble(path, root, f.RmsNormEps) ?? 1e-5,
            MaxSequenceLength = JsonFields.OptionalInt(path, root, f.MaxSequence) ?? 4096,
            QkvBias = JsonFields.OptionalBool(path, root, "include_qkv_bias") ?? false,
            ShiftLogits = false,
            MaskTokenId = JsonFields.OptionalInt(path, root, f.MaskToken) ?? 126336,
            EosTokenIds = JsonFields.OptionalIntOrList(path, root, f.EosToken) ?? [126081],
        };
    }

    private static ModelConfig ReadQwen(string path, JsonElement root, QwenFamily family)
    {
        ConfigFieldNames f = ConfigFieldNames.Dream;
        bool tied = JsonFields.OptionalBool(path, root, "tie_word_embeddings") ?? false;
        RejectIf(path, tied && !family.TiedEmbeddingsSupported, "tie_word_embeddings",
            $"tied embeddings are not supported for {family.ArchitectureName}: the engine needs a separate output head (lm_head)");
        RejectIf(path, JsonFields.OptionalBool(path, root, "use_sliding_window") == true, "use_sliding_window", "sliding-window attention is not supported");
        RejectIf(path, JsonFields.TryGet(root, "rope_scaling", out _), "rope_scaling", "RoPE scaling is not supported");
        RejectSlidingLayers(path, root);
        RequireValue(path, root, "hidden_act", "silu");
        bool qkvBias = family.QkvBias ?? JsonFields.OptionalBool(path, root, "attention_bias") ?? false;
        RejectIf(path, family.QkvBias is null && qkvBias, "attention_bias",
            $"{family.ArchitectureName} puts this bias on o_proj too, and an output-projection bias is not supported");

        int hidden = JsonFields.RequiredInt(path, root, f.Hidden);
        int heads = JsonFields.RequiredInt(path, root, f.Heads);
        int? headDim = JsonFields.OptionalInt(path, root, HeadDimField);
        if (headDim is not null && !family.ReadsHeadDim && heads > 0 && (long)headDim * heads != hidden)
        {
            throw new CheckpointException(path, HeadDimField,
                $"{headDim} differs from {f.Hidden} / {f.Heads} = {hidden} / {heads}; {family.ArchitectureName} takes its head width from those, not from head_dim");
        }

        if (headDim is not null && family.ReadsHeadDim)
        {
            RequirePositive(path, HeadDimField, headDim.Value);
        }

        int blockLength = 0;
        if (family.BlockSizeField is { } blockField)
        {
            blockLength = JsonFields.OptionalInt(path, root, blockField) ?? family.DefaultBlockSize;
            RequirePositive(path, blockField, blockLength);
        }

        var config = new ModelConfig
        {
            Architecture = family.Architecture,
            HiddenSize = hidden,
            LayerCount = JsonFields.RequiredInt(path, root, f.Layers),
            HeadCount = heads,
            KeyValueHeadCount = JsonFields.OptionalInt(path, root, f.KeyValueHeads) ?? heads,
            IntermediateSize = JsonFields.RequiredInt(path, root, f.Intermediate),
            VocabSize = JsonFields.RequiredInt(path, root, f.Vocab),
            RopeTheta = JsonFields.OptionalDouble(path, root, f.RopeTheta) ?? family.DefaultRopeTheta,
            RmsNormEps = JsonFields.OptionalDouble(path, root, f.RmsNormEps) ?? 1e-6,
            MaxSequenceLength = JsonFields.OptionalInt(path, root, f.MaxSequence) ?? family.DefaultMaxSequence,
            QkvBias = qkvBias,
            QueryKeyNorm = family.QueryKeyNorm,
            TieWordEmbeddings = tied,
            ShiftLogits = family.ShiftLogits,
            AttentionBlockLength = blockLength,
            MaskTokenId = JsonFields.OptionalInt(path, root, f.MaskToken) ?? family.DefaultMaskToken,
            EosTokenIds = JsonFields.OptionalIntOrList(path, root, f.EosToken) ?? [family.DefaultEosToken],
        };
        return headDim is not null && family.ReadsHeadDim ? config with { HeadDim = headDim.Value } : config;
    }

    /// <summary>Newer Qwen configs list each layer's attention; only <c>full_attention</c> is implemented.</summary>
    private static void RejectSlidingLayers(string path, JsonElement root)
    {
        IReadOnlyList<string> layerTypes = JsonFields.OptionalStringOrList(path, root, "layer_types") ?? [];
        string? other = layerTypes.FirstOrDefault(t => !string.Equals(t, "full_attention", StringComparison.Ordinal));
        RejectIf(path, other is not null, "layer_types", $"'{other}' layers are not supported (only 'full_attention')");
    }

    private static void Validate(string path, ModelConfig c, ConfigFieldNames f, bool namedHeadDim)
    {
        RequirePositive(path, f.Hidden, c.HiddenSize);
        RequirePositive(path, f.Layers, c.LayerCount);
        RequirePositive(path, f.Heads, c.HeadCount);
        RequirePositive(path, f.KeyValueHeads, c.KeyValueHeadCount);
        RequirePositive(path, f.Intermediate, c.IntermediateSize);
        RequirePositive(path, f.Vocab, c.VocabSize);
        RequirePositive(path, f.MaxSequence, c.MaxSequenceLength);
        if (!namedHeadDim && c.HiddenSize % c.HeadCount != 0)
        {
            throw new CheckpointException(path, f.Hidden, $"{c.HiddenSize} is not divisible by {f.Heads} ({c.HeadCount})");
        }

        if (c.HeadCount % c.KeyValueHeadCount != 0)
        {
            throw new CheckpointException(path, f.KeyValueHeads,
                $"{f.Heads} ({c.HeadCount}) is not divisible by {f.KeyValueHeads} ({c.KeyValueHeadCount}); every key/value head must serve the same number of query heads");
        }

        if (c.HeadDim % 2 != 0)
        {
            throw new CheckpointException(path, namedHeadDim ? HeadDimField : f.Heads,
                $"the head width {(namedHeadDim ? string.Empty : $"{f.Hidden} / {f.Heads} = {c.HiddenSize} / {c.HeadCount} = ")}{c.HeadDim} is odd; RoPE rotates the two halves of a head, so it must be even");
        }

        if (!(c.RopeTheta > 0))
        {
            throw new CheckpointException(path, f.RopeTheta, $"must be positive, got {c.RopeTheta}");
        }

        if (!(c.RmsNormEps > 0))
        {
            throw new CheckpointException(path, f.RmsNormEps, $"must be positive, got {c.RmsNormEps}");
        }

        RequireTokenId(path, f.MaskToken, c.MaskTokenId, c.VocabSize);
        foreach (int eos in c.EosTokenIds)
        {
            RequireTokenId(path, f.EosToken, eos, c.VocabSize);
            if (eos == c.MaskTokenId)
            {
                throw new CheckpointException(path, f.EosToken, $"{eos} is also {f.MaskToken}; the mask token cannot end a sequence");
            }
        }
    }

    private static void RejectQuantization(string path, JsonElement root)
    {
        foreach (string field in (ReadOnlySpan<string>)["quantization", "quantization_config"])
        {
            RejectIf(path, JsonFields.TryGet(root, field, out _), field, "quantized checkpoints are not supported; use the F32, F16 or BF16 weights");
        }
    }

    private static void RejectIf(string path, bool condition, string field, string problem)
    {
        if (condition)
        {
            throw new CheckpointException(path, field, problem);
        }
    }

    /// <summary>An optional string field that, when present, must have the one value the engine implements.</summary>
    private static void RequireValue(string path, JsonElement root, string field, string supported)
    {
        string? value = JsonFields.OptionalString(path, root, field);
        if (value is not null && !string.Equals(value, supported, StringComparison.OrdinalIgnoreCase))
        {
            throw new CheckpointException(path, field, $"'{value}' is not supported (supported: '{supported}')");
        }
    }

    private static void RequirePositive(string path, string field, int value)
    {
        if (value <= 0)
        {
            throw new CheckpointException(path, field, $"must be positive, got {value}");
        }
    }

    private static void RequireTokenId(string path, string field, int id, int vocabSize)
    {
        if (id < 0 || id >= vocabSize)
        {
            throw new CheckpointException(path, field, $"token id {id} is outside the vocabulary [0, {vocabSize})");
        }
    }
}
