using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Bench;

/// <summary>
/// End-to-end generation through the step loop: N concurrent requests (prompt 32, max_tokens 64, block 32) started
/// together; aggregate answer tokens per second of wall time. Then the same prompts decoded one token per step against
/// Fast-dLLM's threshold rule (its default 0.9, and 0.01, low enough to fire on an untrained model whose top
/// probabilities are near 1/vocab), as a ratio in the same process, with how much the output changes.
/// </summary>
internal static class GenerationBenchmark
{
    private const int Prompt = 32, MaxTokens = 64;

    public static string Run(string folder, int threads, int[] concurrency)
    {
        using var model = new BenchModel(folder, threads);
        using var engine = new DiffusionEngine(model.Transformer, new EngineOptions(), new HashSet<int>(), NullLogger<DiffusionEngine>.Instance);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Generation through the step loop, `{model.Name}`");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Prompt {Prompt} tokens, max_tokens {MaxTokens}, block 32, greedy, no end token (every answer runs to length).");
        text.AppendLine();
        text.AppendLine("| concurrent requests | decoding | wall s | steps / request | answer tokens | tokens/s | vs 1 token/step |");
        text.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (int n in concurrency)
        {
            Answer[] baseline = RunAll(engine, model.Config.VocabSize, n, CommitRule.Schedule, 0, out double baselineSeconds);
            text.AppendLine(Row(n, "1 token/step", baseline, baselineSeconds, baselineSeconds));
            foreach (double threshold in new[] { 0.9, 0.01 })
            {
                Answer[] parallel = RunAll(engine, model.Config.VocabSize, n, CommitRule.Threshold, threshold, out double seconds);
                double agreement = parallel.Zip(baseline).Average(pair => pair.First.Tokens.Zip(pair.Second.Tokens).Count(t => t.First == t.Second) / (double)MaxTokens);
                text.AppendLine(Row(n, string.Create(CultureInfo.InvariantCulture, $"threshold {threshold} ({agreement:P0} tokens same as 1/step)"), parallel, seconds, baselineSeconds));
            }
        }

        return text.ToString();
    }

    private static string Row(int n, string decoding, Answer[] runs, double seconds, double baselineSeconds)
    {
        int tokens = runs.Sum(r => r.Tokens.Count);
        return string.Create(CultureInfo.InvariantCulture, $"| {n} | {decoding} | {seconds:F2} | {runs.Average(r => r.Steps):F1} | {tokens} | {tokens / seconds:F1} | {baselineSeconds / seconds:F2}× |");
    }

    private static Answer[] RunAll(DiffusionEngine engine, int vocab, int n, CommitRule rule, double parameter, out double seconds)
    {
        var stopwatch = Stopwatch.StartNew();
        Answer[] runs = Task.WhenAll(Enumerable.Range(0, n).Select(i => Generate(engine, vocab, i, rule, parameter))).GetAwaiter().GetResult();
        seconds = stopwatch.Elapsed.TotalSeconds;
        return runs;
    }

    private static async Task<Answer> Generate(DiffusionEngine engine, int vocab, int seed, CommitRule rule, double parameter)
    {
        var random = new Random(seed);
        var request = new GenerationRequest
        {
            PromptTokens = Enumerable.Range(0, Prompt).Select(_ => random.Next(vocab - 128)).ToArray(),
            MaxTokens = MaxTokens,
            Seed = (ulong)seed,
            Commit = rule,
            CommitParameter = parameter,
        };
        var tokens = new List<int>();
        int steps = 0;
        await foreach (GenerationUpdate update in engine.GenerateAsync(request, CancellationToken.None))
        {
            tokens.AddRange(update.Tokens);
            steps = update.Steps;
        }

        return new Answer(tokens, steps);
    }

    private sealed record Answer(List<int> Tokens, int Steps);
}
