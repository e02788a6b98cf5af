using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Bench;

/// <summary>
/// End-to-end generation through the step loop: N concurrent requests (prompt 32, max_tokens 64, block 32,
/// 64 steps) started together; aggregate answer tokens per second of wall time.
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
        text.AppendLine(CultureInfo.InvariantCulture, $"Prompt {Prompt} tokens, max_tokens {MaxTokens}, block 32, {MaxTokens} steps (one token per step), no end token (every answer runs to length).");
        text.AppendLine();
        text.AppendLine("| concurrent requests | wall s | answer tokens | tokens/s |");
        text.AppendLine("|---:|---:|---:|---:|");
        foreach (int n in concurrency)
        {
            var stopwatch = Stopwatch.StartNew();
            int[] counts = Task.WhenAll(Enumerable.Range(0, n).Select(i => Generate(engine, model.Config.VocabSize, i))).GetAwaiter().GetResult();
            double seconds = stopwatch.Elapsed.TotalSeconds;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {n} | {seconds:F2} | {counts.Sum()} | {counts.Sum() / seconds:F1} |");
        }

        return text.ToString();
    }

    private static async Task<int> Generate(DiffusionEngine engine, int vocab, int seed)
    {
        var random = new Random(seed);
        var request = new GenerationRequest
        {
            PromptTokens = Enumerable.Range(0, Prompt).Select(_ => random.Next(vocab - 16)).ToArray(),
            MaxTokens = MaxTokens,
            Seed = (ulong)seed,
        };
        int tokens = 0;
        await foreach (GenerationUpdate update in engine.GenerateAsync(request, CancellationToken.None))
        {
            tokens += update.Tokens.Count;
        }

        return tokens;
    }
}
