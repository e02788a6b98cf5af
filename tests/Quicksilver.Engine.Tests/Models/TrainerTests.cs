using System.Text.Json;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Models;

/// <summary>
/// <c>tools/train/train_llada.py</c>, the trainer of the embedded model, run for a few steps from the shipped model's
/// weights: what it writes is a folder the engine serves unchanged, the engine agrees with PyTorch on it, and the
/// same seed gives the same bytes.
/// </summary>
public sealed class TrainerTests : IDisposable
{
    private const int Steps = 3, Batch = 4, Length = 24;

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("quicksilver-train-");

    public void Dispose() => _work.Delete(recursive: true);

    [TorchReferenceFact]
    public void Train_FewSteps_WritesAServableFolderThatMatchesPyTorch()
    {
        string output = Train("a", seed: 7);

        using (ITensorSource init = CheckpointLoader.Open(RepositoryFolders.TinyModel))
        using (ITensorSource trained = CheckpointLoader.Open(output))
        {
            Assert.Equal(init.Names.Order(), trained.Names.Order());
            Assert.All(trained.Names, name =>
            {
                Assert.True(trained.TryGet(name, out CheckpointTensor? tensor));
                Assert.True(init.TryGet(name, out CheckpointTensor? initial));
                Assert.Equal(TensorDType.BF16, tensor.DType);
                Assert.Equal(initial.Shape, tensor.Shape);
            });
        }

        Assert.NotEqual(
            File.ReadAllBytes(Path.Combine(RepositoryFolders.TinyModel, "model.safetensors")),
            File.ReadAllBytes(Path.Combine(output, "model.safetensors")));

        foreach (string json in Directory.GetFiles(RepositoryFolders.TinyModel, "*.json"))
        {
            Assert.Equal(File.ReadAllBytes(json), File.ReadAllBytes(Path.Combine(output, Path.GetFileName(json))));
        }

        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(Path.Combine(_work.FullName, "a.json")));
        JsonElement root = report.RootElement;
        Assert.Equal(Steps * Batch * Length, root.GetProperty("tokens_seen").GetInt32());
        Assert.True(root.GetProperty("unigram_held_out_ce").GetDouble() > 0);
        JsonElement evals = root.GetProperty("held_out_masked_ce");
        Assert.Equal([0, Steps], evals.EnumerateArray().Select(e => e.GetProperty("step").GetInt32()));
        Assert.All(evals.EnumerateArray(), e => Assert.True(double.IsFinite(e.GetProperty("mean").GetDouble())));

        TorchReferenceParityTests.AssertMatchesPyTorch(output);
    }

    [TorchReferenceFact]
    public void Train_SameSeed_WritesTheSameWeights()
    {
        string first = Train("first", seed: 11);
        string second = Train("second", seed: 11);
        string other = Train("other", seed: 12);

        byte[] weights = File.ReadAllBytes(Path.Combine(first, "model.safetensors"));
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(second, "model.safetensors")));
        Assert.NotEqual(weights, File.ReadAllBytes(Path.Combine(other, "model.safetensors")));
    }

    [TorchReferenceFact]
    public void DataConstrained_FewSteps_MeasuresBothObjectivesEveryEpochOnWholeDocuments()
    {
        string report = Path.Combine(_work.FullName, "data-constrained.json");
        TorchReference.CompareWithAutoregression(
        [
            "--init", RepositoryFolders.TinyModel, "--tokens", TokenFile(), "--report", report,
            "--unique-tokens", "300", "--epochs", "2", "--batch", $"{Batch}", "--length", $"{Length}", "--warmup", "1",
            "--eval-windows", "4", "--ratios", "2", "--eval-every", "1", "--threads", "1",
        ]);

        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(report));
        JsonElement root = document.RootElement;
        int unique = root.GetProperty("unique_tokens").GetInt32();
        int steps = root.GetProperty("options").GetProperty("steps").GetInt32();
        Assert.InRange(unique, 300, 300 + 12); // whole documents of at most 12 tokens, up to the first past 300
        Assert.Equal((int)Math.Ceiling(2.0 * unique / (Batch * Length)), steps);
        var first = new List<double>();
        foreach (string objective in new[] { "autoregressive", "diffusion" })
        {
            JsonElement[] curve = [.. root.GetProperty("curves").GetProperty(objective).EnumerateArray()];
            Assert.Equal([0, 1, 2], curve.Select(p => (int)Math.Round(p.GetProperty("epoch").GetDouble())));
            Assert.Equal(steps, curve[^1].GetProperty("step").GetInt32());
            Assert.All(curve, p => Assert.True(p.GetProperty("held_out").GetDouble() is > 0 and < 20 && p.GetProperty("train").GetDouble() is > 0 and < 20));
            first.Add(curve[0].GetProperty("held_out").GetDouble());
        }

        // The same weights measured two ways: next-token cross-entropy under a causal mask, and the diffusion bound.
        Assert.NotEqual(first[0], first[1]);
    }

    private string Train(string name, int seed)
    {
        string output = Path.Combine(_work.FullName, name);
        TorchReference.Train(
        [
            "--init", RepositoryFolders.TinyModel, "--tokens", TokenFile(), "--output", output,
            "--steps", $"{Steps}", "--batch", $"{Batch}", "--length", $"{Length}", "--warmup", "1",
            "--eval-every", $"{Steps}", "--eval-windows", "4", "--threads", "1", "--seed", $"{seed}",
            "--report", Path.Combine(_work.FullName, name + ".json"),
        ]);
        return output;
    }

    /// <summary>
    /// 2,000 short random documents, each ending with EOS, as uint16 ids: enough for the trainer's held-out split
    /// (every 20th run of 100 documents).
    /// </summary>
    private string TokenFile()
    {
        string path = Path.Combine(_work.FullName, "corpus.ids");
        if (File.Exists(path))
        {
            return path;
        }

        var config = ModelConfigReader.Read(Path.Combine(RepositoryFolders.TinyModel, "config.json"));
        var random = new Random(3);
        using var writer = new BinaryWriter(File.Create(path));
        for (int document = 0; document < 2000; document++)
        {
            for (int i = random.Next(4, 12); i > 0; i--)
            {
                writer.Write((ushort)random.Next(0, config.EosTokenIds[0]));
            }

            writer.Write((ushort)config.EosTokenIds[0]);
        }

        return path;
    }
}
