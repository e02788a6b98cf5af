using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Models;

/// <summary>
/// OpenAI's <c>top_logprobs</c>: <see cref="IComputeBackend.TopLogprobs"/> on the CPU backend against a sort of the row,
/// and <see cref="DiffusionTransformer.ForwardAndSelect"/> listing the alternatives at each commit of a mixed batch.
/// </summary>
public sealed class TopLogprobsTests : IDisposable
{
    private static readonly ModelConfig Config = RandomCheckpoint.LLaDAConfig(vocab: 96);
    private readonly RandomTransformer transformer = new(Config, seed: 33);

    private DiffusionTransformer Model => transformer.Model;

    private IComputeBackend Backend => transformer.Model.Backend;

    public void Dispose() => transformer.Dispose();

    /// <summary>
    /// Logits on a 0.25 grid (many ties, broken by id) with the suppressed token on top: the listed tokens are a sort's,
    /// and each log-probability is <c>x − logsumexp</c> (in double) within 1e-5; the chosen token's is its own, exactly.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(20)]
    public void TopLogprobs_Cpu_TheSortedRowsBestWithTheirLogProbabilities(int count)
    {
        const int rows = 5, vocab = 300, suppressed = 4;
        var random = new Random(count);
        float[] logits = [.. Enumerable.Range(0, rows * vocab).Select(_ => (random.Next(-40, 24) * 0.25f) + 0.125f)];
        for (int r = 0; r < rows; r++)
        {
            logits[(r * vocab) + suppressed] = 50f;
        }

        using IDeviceBuffer buffer = Backend.Allocate(rows, vocab, BufferKind.Logits);
        Backend.Upload(logits, buffer);
        TopLogprobsRow[] listed = [.. new[] { 3, 0, 4 }.Select(r => Chosen(logits.AsSpan(r * vocab, vocab), r, token: (r * 37) % vocab))];
        var results = new TokenLogprob[listed.Length * count];

        Backend.TopLogprobs(buffer, listed, count, suppressed, results);

        for (int i = 0; i < listed.Length; i++)
        {
            float[] row = logits[(listed[i].LogitRow * vocab)..((listed[i].LogitRow + 1) * vocab)];
            double logZ = LogSumExp(row);
            int[] expected = [.. Enumerable.Range(0, vocab).Where(v => v != suppressed).OrderByDescending(v => row[v]).ThenBy(v => v).Take(count)];
            TokenLogprob[] actual = results[(i * count)..((i + 1) * count)];
            Assert.Equal(expected, actual.Select(a => a.Token));
            Assert.All(actual, a => Assert.Equal(row[a.Token] - logZ, a.LogProbability, 1e-5));
            Assert.All(actual.Where(a => a.Token == listed[i].ChosenToken), a => Assert.Equal(listed[i].ChosenLogProbability, a.LogProbability));
        }
    }

    [Fact]
    public void TopLogprobs_ArgumentsOutOfRange_AreRefused()
    {
        using IDeviceBuffer buffer = Backend.Allocate(2, 6, BufferKind.Logits);
        Backend.Upload(new float[12], buffer);

        Assert.Throws<ArgumentException>(() => Backend.TopLogprobs(buffer, [new(0, 1, -1f)], 6, suppressedToken: 5, new TokenLogprob[6]));
        Assert.Throws<ArgumentException>(() => Backend.TopLogprobs(buffer, [new(0, 1, -1f)], 0, suppressedToken: 5, []));
        Assert.Throws<ArgumentException>(() => Backend.TopLogprobs(buffer, [new(2, 1, -1f)], 1, suppressedToken: 5, new TokenLogprob[1]));
        Assert.Throws<ArgumentException>(() => Backend.TopLogprobs(buffer, [new(1, 6, -1f)], 1, suppressedToken: 5, new TokenLogprob[1]));
        Assert.Throws<ArgumentException>(() => Backend.TopLogprobs(buffer, [new(1, 1, -1f)], 2, suppressedToken: 5, new TokenLogprob[3]));
    }

    [Fact]
    public void TopLogprobs_MoreThanMaxAlternatives_AreRefusedEvenWithCandidatesEnough()
    {
        int count = TokenLogprob.MaxAlternatives + 1;
        using IDeviceBuffer buffer = Backend.Allocate(1, 64, BufferKind.Logits);
        Backend.Upload(new float[64], buffer);

        var e = Assert.Throws<ArgumentException>(() => Backend.TopLogprobs(buffer, [new(0, 1, -1f)], count, suppressedToken: -1, new TokenLogprob[count]));
        Assert.Contains($"at most {TokenLogprob.MaxAlternatives}", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Three sequences in one step, asking for 3, none and 5 alternatives (greedy, greedy, sampled): each commit lists the
    /// best of its own logit row (as <see cref="DiffusionTransformer.ComputeLogits"/> gives it), never the mask; a greedy
    /// commit's token is its first alternative with the same log-probability, bit for bit.
    /// </summary>
    [Fact]
    public void ForwardAndSelect_MixedBatch_ListsEachCommitsAlternativesFromItsOwnRow()
    {
        ForwardSequence[] batch =
        [
            Step(seed: 1, masks: 6, temperature: 0f) with { TopLogprobs = 3 },
            Step(seed: 2, masks: 4, temperature: 0f),
            Step(seed: 3, masks: 5, temperature: 1f) with { TopLogprobs = 5 },
        ];
        var policy = new CommitPolicy(RemaskingStrategy.LowConfidence, CommitRule.Schedule, 0, Scheduled: 3, Seed: 0, Step: 0);
        int scored = batch.Sum(b => b.ScorePositions.Count);
        var committed = new CommittedToken[scored];
        var counts = new int[batch.Length];

        TokenLogprob[][] alternatives = Model.ForwardAndSelect(batch, [policy, policy, policy], committed, counts);
        float[] logits = Model.ComputeLogits(batch);

        Assert.Empty(alternatives[1]);
        int first = 0;
        for (int s = 0; s < batch.Length; s++)
        {
            int n = batch[s].TopLogprobs;
            Assert.Equal(3, counts[s]);
            Assert.Equal(counts[s] * n, alternatives[s].Length);
            for (int k = 0; k < counts[s]; k++)
            {
                CommittedToken c = committed[first + k];
                float[] row = logits[((first + c.Row) * Config.VocabSize)..((first + c.Row + 1) * Config.VocabSize)];
                int[] best = [.. Enumerable.Range(0, Config.VocabSize).Where(v => v != Config.MaskTokenId).OrderByDescending(v => row[v]).ThenBy(v => v).Take(n)];
                TokenLogprob[] listed = alternatives[s][(k * n)..((k + 1) * n)];
                Assert.Equal(best, listed.Select(a => a.Token));
                Assert.All(listed, a => Assert.Equal(row[a.Token] - LogSumExp(row), a.LogProbability, 1e-5));
                if (batch[s].Sampling[c.Row].Temperature == 0f && n > 0)
                {
                    Assert.Equal(new TokenLogprob(c.Token, c.LogProbability), listed[0]);
                }
            }

            first += batch[s].ScorePositions.Count;
        }
    }

    private static TopLogprobsRow Chosen(ReadOnlySpan<float> row, int logitRow, int token) =>
        new(logitRow, token, (float)(row[token] - LogSumExp(row)));

    private static double LogSumExp(ReadOnlySpan<float> row)
    {
        float max = row[0];
        foreach (float x in row)
        {
            max = Math.Max(max, x);
        }

        double sum = 0;
        foreach (float x in row)
        {
            sum += Math.Exp(x - max);
        }

        return max + Math.Log(sum);
    }

    /// <summary>A canvas of 5 random tokens then <paramref name="masks"/> masks, scoring the masks.</summary>
    private static ForwardSequence Step(int seed, int masks, float temperature)
    {
        var random = new Random(seed);
        int[] canvas = [.. Enumerable.Range(0, 5).Select(_ => random.Next(Config.VocabSize - 1)), .. Enumerable.Repeat(Config.MaskTokenId, masks)];
        int[] positions = [.. Enumerable.Range(5, masks)];
        return new ForwardSequence(canvas, positions, [.. positions.Select(p => new RowSampling(temperature, (ulong)seed, (ulong)p))]);
    }
}
