using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Models;

/// <summary>
/// <see cref="DiffusionTransformer.ForwardAndSelect"/> (commits selected by the backend, as the engine decodes)
/// against <see cref="DiffusionTransformer.Forward"/> plus <see cref="DenoisingSequence.Commit(ForwardSequence, ReadOnlySpan{TokenScore})"/>
/// (every score to the host, as the engine decoded before): the same canvases, log-probabilities and finishes, bit for bit.
/// </summary>
public sealed class DiffusionTransformerSelectionTests
{
    private static readonly DecodingSettings[] Settings =
    [
        new(0f, 0, RemaskingStrategy.LowConfidence, CommitRule.Schedule, 0),
        new(0.8f, 0, RemaskingStrategy.LowConfidence, CommitRule.Threshold, 0.2),
        new(0f, 0, RemaskingStrategy.LowConfidence, CommitRule.Factor, 2.0),
        new(1f, 0, RemaskingStrategy.Random, CommitRule.Schedule, 0),
        new(0f, 0, RemaskingStrategy.Margin, CommitRule.Threshold, 0.05),
        new(0.5f, 0, RemaskingStrategy.Entropy, CommitRule.Schedule, 0),
        new(0f, 0, RemaskingStrategy.Entropy, CommitRule.Factor, 3.0),
        new(0.9f, 0, RemaskingStrategy.Random, CommitRule.Factor, 1.0),
        new(0.7f, 0, RemaskingStrategy.Origin, CommitRule.Schedule, 0),
        new(0f, 0, RemaskingStrategy.Origin, CommitRule.Schedule, 0),
        new(1f, 0, RemaskingStrategy.LowConfidence, CommitRule.Schedule, 0, TopP: 0.8, TopK: 5),
        new(0.6f, 0, RemaskingStrategy.Margin, CommitRule.Schedule, 0, TopK: 3, AlgorithmTemperature: 0.5),
        new(0f, 0, RemaskingStrategy.Entropy, CommitRule.Schedule, 0, AlgorithmTemperature: 2),
    ];

    [Theory]
    [InlineData("llada", null)]
    [InlineData("dream", null)]
    [InlineData("llada", 3)] // sequences over 3 candidates select on the host
    public void ForwardAndSelect_BatchDecode_SameAsForwardThenCommitFromScores(string family, int? selectionRowLimit)
    {
        ModelConfig config = family == "dream" ? RandomCheckpoint.DreamConfig(vocab: 64) : RandomCheckpoint.LLaDAConfig(vocab: 64);
        using var checkpoint = RandomCheckpoint.Create(config, TensorDType.BF16, seed: 21);
        using ITensorSource tensors = CheckpointLoader.Open(checkpoint.Folder);
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = 2 });
        using var model = new DiffusionTransformer(config, tensors, backend) { SelectionRowLimit = selectionRowLimit };
        List<DenoisingSequence> viaScores = Sequences(config), viaSelection = Sequences(config);

        int steps = 0;
        while (viaScores.Any(s => s.Finish is null))
        {
            List<DenoisingSequence> runningA = viaScores.Where(s => s.Finish is null).ToList();
            List<DenoisingSequence> runningB = viaSelection.Where(s => s.Finish is null).ToList();
            ForwardSequence[] batchA = runningA.Select(s => s.NextStep()).ToArray();
            ForwardSequence[] batchB = runningB.Select(s => s.NextStep()).ToArray();
            int scored = batchA.Sum(b => b.ScorePositions.Count);
            var scores = new TokenScore[scored];
            var committed = new CommittedToken[scored];
            var counts = new int[batchB.Length];

            model.Forward(batchA, scores);
            model.ForwardAndSelect(batchB, runningB.Select(s => s.CommitPolicy).ToArray(), committed, counts);

            int offset = 0;
            for (int i = 0; i < batchA.Length; i++)
            {
                int rows = batchA[i].ScorePositions.Count;
                IReadOnlyList<int>? a = runningA[i].Commit(batchA[i], scores.AsSpan(offset, rows));
                IReadOnlyList<int>? b = runningB[i].Commit(batchB[i], committed.AsSpan(offset, counts[i]));
                Assert.Equal(a, b);
                Assert.Equal(runningA[i].Canvas.ToArray(), runningB[i].Canvas.ToArray());
                offset += rows;
            }

            steps++;
        }

        Assert.True(steps > 3);
        for (int i = 0; i < viaScores.Count; i++)
        {
            Assert.Equal(viaScores[i].Finish, viaSelection[i].Finish);
            Assert.Equal(viaScores[i].LogProbabilities(0, viaScores[i].CompletionTokens).ToArray(), viaSelection[i].LogProbabilities(0, viaSelection[i].CompletionTokens).ToArray());
        }
    }

    [Fact]
    public void ForwardAndSelect_PolicyCountDiffersFromBatch_Throws()
    {
        ModelConfig config = RandomCheckpoint.LLaDAConfig(vocab: 64);
        using var checkpoint = RandomCheckpoint.Create(config, TensorDType.BF16, seed: 2);
        using ITensorSource tensors = CheckpointLoader.Open(checkpoint.Folder);
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        using var model = new DiffusionTransformer(config, tensors, backend);
        var step = new ForwardSequence(new[] { 1, 2, config.MaskTokenId }, [2], [default]);

        var ex = Assert.Throws<ArgumentException>(() => model.ForwardAndSelect([step], [], new CommittedToken[1], new int[1]));

        Assert.Equal("policies", ex.ParamName);
    }

    private static List<DenoisingSequence> Sequences(ModelConfig config) =>
        Settings.Select((s, i) => new DenoisingSequence(
            Enumerable.Range(0, 2 + (i * 3)).Select(t => ((t * 11) + i) % (config.VocabSize - 2)).ToArray(),
            DiffusionPlan.Create(7 + i, 3 + (i % 4), 4 + i),
            s with { Seed = (ulong)(30 + i) },
            config.MaskTokenId,
            new HashSet<int>(config.EosTokenIds))).ToList();
}
