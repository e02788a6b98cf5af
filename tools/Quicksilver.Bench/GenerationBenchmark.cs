using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;
using static Quicksilver.Bench.BenchGeneration;

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
        int vocab = model.Config.VocabSize;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Generation through the step loop, `{model.Name}`");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Prompt {Prompt} tokens, max_tokens {MaxTokens}, block 32, greedy, no end token (every answer runs to length).");
        text.AppendLine();
        text.AppendLine("| concurrent requests | decoding | wall s | steps / request | answer tokens | tokens/s | vs 1 token/step |");
        text.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (int n in concurrency)
        {
            (Answer[] baseline, double baselineSeconds) = RunConcurrent(engine, n, i => Request(vocab, i, Prompt, MaxTokens));
            text.AppendLine(Row(n, "1 token/step", baseline, baselineSeconds, baselineSeconds));
            foreach (double threshold in new[] { 0.9, 0.01 })
            {
                (Answer[] parallel, double seconds) = RunConcurrent(engine, n, i => Request(vocab, i, Prompt, MaxTokens) with { Commit = CommitRule.Threshold, CommitParameter = threshold });
                double agreement = TokenAgreement(parallel, baseline);
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
}
