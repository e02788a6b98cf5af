using System.Diagnostics;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Bench;

/// <summary>
/// Runs generation requests through a step loop, N at once, and compares answers. Prompts are random tokens (below
/// the special ids at the top of the vocabulary); the engines here have no end token, so every answer runs to length.
/// </summary>
internal static class BenchGeneration
{
    /// <summary>
    /// A request of <paramref name="prompt"/> random tokens, seeded by <paramref name="seed"/>, greedy; with
    /// <paramref name="texts"/> (<see cref="TextPrompts"/>), prompted with the text numbered by the seed instead.
    /// </summary>
    public static GenerationRequest Request(int vocab, int seed, int prompt, int maxTokens, IReadOnlyList<int[]>? texts = null)
    {
        var random = new Random(seed);
        return new GenerationRequest
        {
            PromptTokens = texts is null ? Enumerable.Range(0, prompt).Select(_ => random.Next(vocab - 128)).ToArray() : texts[seed % texts.Count],
            MaxTokens = maxTokens,
            Seed = (ulong)seed,
        };
    }

    /// <summary>Starts <paramref name="n"/> requests together and waits for all: their answers and the wall time.</summary>
    public static (Answer[] Answers, double Seconds) RunConcurrent(DiffusionEngine engine, int n, Func<int, GenerationRequest> request)
    {
        var stopwatch = Stopwatch.StartNew();
        Answer[] answers = Task.WhenAll(Enumerable.Range(0, n).Select(i => Generate(engine, request(i)))).GetAwaiter().GetResult();
        return (answers, stopwatch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Runs <paramref name="run"/> once, or up to <paramref name="maxRepeats"/> times while the runs together take under
    /// <paramref name="shortRunSeconds"/> (a few steps on a shared machine are mostly noise): the answers of the first
    /// run and the median wall time.
    /// </summary>
    public static (Answer[] Answers, double MedianSeconds) Timed(Func<(Answer[] Answers, double Seconds)> run, int maxRepeats = 5, double shortRunSeconds = 1.0)
    {
        (Answer[] answers, double first) = run();
        var samples = new List<double> { first };
        while (samples.Count < maxRepeats && samples.Sum() < shortRunSeconds)
        {
            samples.Add(run().Seconds);
        }

        samples.Sort();
        int middle = samples.Count / 2;
        return (answers, samples.Count % 2 == 1 ? samples[middle] : (samples[middle - 1] + samples[middle]) / 2);
    }

    /// <summary>Mean share of answer positions holding the same token in both runs.</summary>
    public static double TokenAgreement(Answer[] runs, Answer[] reference) =>
        runs.Zip(reference).Average(pair => pair.First.Tokens.Zip(pair.Second.Tokens).Count(t => t.First == t.Second) / (double)Math.Max(pair.Second.Tokens.Count, 1));

    /// <summary>Share of answers identical to the reference's.</summary>
    public static double IdenticalAnswers(Answer[] runs, Answer[] reference) =>
        runs.Zip(reference).Average(pair => pair.First.Tokens.SequenceEqual(pair.Second.Tokens) ? 1.0 : 0.0);

    private static async Task<Answer> Generate(DiffusionEngine engine, GenerationRequest request)
    {
        var tokens = new List<int>();
        int steps = 0;
        await foreach (GenerationUpdate update in engine.GenerateTogether([(request, CancellationToken.None)])[0])
        {
            tokens.AddRange(update.Tokens);
            steps = update.Steps;
        }

        return new Answer(tokens, steps);
    }

    /// <summary>One answer: its tokens and the forward passes it took.</summary>
    public sealed record Answer(List<int> Tokens, int Steps);
}
