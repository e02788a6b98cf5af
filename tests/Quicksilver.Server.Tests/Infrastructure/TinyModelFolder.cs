using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// A real, tiny LLaDA (or Dream: Qwen2 names, GQA, shifted logits) model folder in a temporary directory:
/// <c>config.json</c>, a byte-level BPE <c>tokenizer.json</c> trained on a few sentences, and random fp32 weights in
/// <c>model.safetensors</c>. The text it writes is noise, but every layer of the real engine runs on it.
/// </summary>
public sealed class TinyModelFolder : IDisposable
{
    public const string ModelId = "quicksilver-tiny-test";
    public const int ContextLength = 256;

    private static readonly string[] Corpus =
    [
        "The capital of France is Paris.",
        "Diffusion language models denoise a canvas of masked tokens, block by block.",
        "Say hello to the quick silver fox that jumps over the lazy dog.",
        "One, two, three, four, five, six, seven, eight, nine, ten.",
    ];

    private readonly string root;

    private TinyModelFolder(string root, string folder)
    {
        this.root = root;
        Folder = folder;
    }

    /// <summary>The model folder (its name is <see cref="ModelId"/>).</summary>
    public string Folder { get; }

    public static TinyModelFolder Create(int seed = 1234, ModelArchitecture architecture = ModelArchitecture.LLaDA)
    {
        string root = Path.Combine(Path.GetTempPath(), "qs-server-tests-" + Guid.NewGuid().ToString("N"));
        string folder = Directory.CreateDirectory(Path.Combine(root, ModelId)).FullName;

        TrainedBpe bpe = BpeTrainer.Train(Enumerable.Repeat(Corpus, 4).SelectMany(t => t), mergeCount: 48);
        TokenizerJsonWriter.Write(Path.Combine(folder, "tokenizer.json"), bpe, ["<|endoftext|>", "<|mdm_mask|>"]);
        int eos = bpe.Vocabulary.Count;
        JsonObject config = Config(architecture, eos);
        string configPath = Path.Combine(folder, "config.json");
        File.WriteAllText(configPath, config.ToJsonString());

        var random = new Random(seed);
        var entries = new List<SafetensorsWriter.Entry>();
        foreach ((string name, long[] shape) in WeightSpec.Required(ModelConfigReader.Read(configPath)))
        {
            bool norm = shape.Length == 1 && !name.EndsWith(".bias", StringComparison.Ordinal);
            float[] values = [.. Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b))
                .Select(_ => (norm ? 1f : 0f) + (float)((random.NextDouble() * 2) - 1) * (norm ? 0.1f : 0.5f))];
            entries.Add(new SafetensorsWriter.Entry(name, TensorDType.F32, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
        }

        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), entries);
        return new TinyModelFolder(root, folder);
    }

    /// <summary>config.json: the same sizes under each family's field names, and what each family's reader requires.</summary>
    private static JsonObject Config(ModelArchitecture architecture, int eos)
    {
        bool dream = architecture == ModelArchitecture.Dream;
        ConfigFieldNames f = dream ? ConfigFieldNames.Dream : ConfigFieldNames.LLaDA;
        var config = new JsonObject
        {
            [f.Hidden] = 32,
            [f.Layers] = 2,
            [f.Heads] = 4,
            [f.KeyValueHeads] = dream ? 2 : 4, // Dream's grouped-query attention
            [f.Intermediate] = 64,
            [f.Vocab] = eos + 2,
            [f.MaxSequence] = ContextLength,
            [f.RopeTheta] = 10000.0,
            [f.RmsNormEps] = 1e-5,
            [f.MaskToken] = eos + 1,
            [f.EosToken] = eos,
            ["architectures"] = new JsonArray(dream ? "DreamModel" : "LLaDAModelLM"),
            ["model_type"] = dream ? "Dream" : "llada",
        };
        (string Field, JsonNode Value)[] family = dream
            ? [("hidden_act", "silu"), ("tie_word_embeddings", false)]
            : [("block_type", "llama"), ("layer_norm_type", "rms"), ("activation_type", "silu"), ("weight_tying", false)];
        foreach ((string field, JsonNode value) in family)
        {
            config[field] = value;
        }

        return config;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A still-mapped checkpoint; the temporary folder is left to the OS.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
