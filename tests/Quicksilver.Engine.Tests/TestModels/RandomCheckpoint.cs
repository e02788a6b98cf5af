using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Tests.TestModels;

/// <summary>
/// A small model with random weights written as a real safetensors file in a temporary folder. The fp32 values the
/// file holds (bf16-rounded when stored as BF16) are kept for the reference implementation.
/// </summary>
internal sealed class RandomCheckpoint : IDisposable
{
    private RandomCheckpoint(string folder, ModelConfig config, Dictionary<string, float[]> values)
    {
        Folder = folder;
        Config = config;
        Values = values;
    }

    public string Folder { get; }

    public string FilePath => Path.Combine(Folder, "model.safetensors");

    public ModelConfig Config { get; }

    public IReadOnlyDictionary<string, float[]> Values { get; }

    public static ModelConfig LLaDAConfig(int vocab = 96, int hidden = 32, int layers = 2, int heads = 4, int ff = 48) => new()
    {
        Architecture = ModelArchitecture.LLaDA,
        HiddenSize = hidden,
        LayerCount = layers,
        HeadCount = heads,
        KeyValueHeadCount = heads,
        IntermediateSize = ff,
        VocabSize = vocab,
        RopeTheta = 500000.0,
        RmsNormEps = 1e-5,
        MaxSequenceLength = 512,
        MaskTokenId = vocab - 1,
        EosTokenIds = [vocab - 2],
    };

    public static ModelConfig DreamConfig(int vocab = 96, int hidden = 32, int layers = 2, int heads = 4, int kvHeads = 2, int ff = 48) => new()
    {
        Architecture = ModelArchitecture.Dream,
        HiddenSize = hidden,
        LayerCount = layers,
        HeadCount = heads,
        KeyValueHeadCount = kvHeads,
        IntermediateSize = ff,
        VocabSize = vocab,
        RopeTheta = 1000000.0,
        RmsNormEps = 1e-6,
        MaxSequenceLength = 512,
        QkvBias = true,
        ShiftLogits = true,
        MaskTokenId = vocab - 1,
        EosTokenIds = [vocab - 2],
    };

    /// <summary>SDAR's switches (Qwen3 blocks: q/k norms, GQA, tied head, unshifted) over blocks of <paramref name="blockLength"/>.</summary>
    public static ModelConfig SdarConfig(int blockLength = 4, int layers = 2, int vocab = 96) => DreamConfig(vocab: vocab, layers: layers) with
    {
        Architecture = ModelArchitecture.Sdar,
        QkvBias = false,
        QueryKeyNorm = true,
        TieWordEmbeddings = true,
        ShiftLogits = false,
        AttentionBlockLength = blockLength,
    };

    /// <summary>Fast-dLLM v2's switches (Qwen2.5 blocks: qkv bias, GQA, shifted) over blocks of <paramref name="blockLength"/>.</summary>
    public static ModelConfig FastDllmV2Config(int blockLength = 8, int layers = 2, int vocab = 96) => DreamConfig(vocab: vocab, layers: layers) with
    {
        Architecture = ModelArchitecture.FastDllmV2,
        AttentionBlockLength = blockLength,
    };

    public static RandomCheckpoint Create(ModelConfig config, TensorDType dtype, int seed)
    {
        string folder = Path.Combine(Path.GetTempPath(), "qs-model-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        var values = new Dictionary<string, float[]>();
        var entries = new List<SafetensorsWriter.Entry>();
        foreach ((string name, long[] shape) in WeightSpec.Required(config))
        {
            int count = (int)shape.Aggregate(1L, (a, b) => a * b);
            bool isNorm = shape.Length == 1 && !name.EndsWith(".bias", StringComparison.Ordinal);
            var data = new float[count];
            for (int i = 0; i < count; i++)
            {
                // Norm weights near 1, everything else a spread wide enough that attention is not uniform.
                float v = isNorm ? 1f + (0.2f * NextSigned(random)) : 0.25f * NextSigned(random);
                data[i] = dtype == TensorDType.BF16 ? BFloat16.Round(v) : dtype == TensorDType.F16 ? (float)(Half)v : v;
            }

            values[name] = data;
            entries.Add(new SafetensorsWriter.Entry(name, dtype, shape, Encode(data, dtype)));
        }

        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), entries);
        return new RandomCheckpoint(folder, config, values);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A still-mapped file on some platforms; the temp folder is cleaned by the OS.
        }
    }

    private static float NextSigned(Random random) => (float)((random.NextDouble() * 2) - 1);

    private static byte[] Encode(float[] data, TensorDType dtype)
    {
        switch (dtype)
        {
            case TensorDType.F32:
                return MemoryMarshal.AsBytes(data.AsSpan()).ToArray();
            case TensorDType.F16:
                return MemoryMarshal.AsBytes(data.Select(v => (Half)v).ToArray().AsSpan()).ToArray();
            default:
                return MemoryMarshal.AsBytes(data.Select(BFloat16.FromSingle).ToArray().AsSpan()).ToArray();
        }
    }
}
