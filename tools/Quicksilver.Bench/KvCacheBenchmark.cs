using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;
using static Quicksilver.Bench.BenchGeneration;

namespace Quicksilver.Bench;

/// <summary>
/// Fast-dLLM block K/V caching through the step loop: for each concurrency and decoding (one token per step; a quarter
/// as many steps as tokens, four per step on average by the model family's schedule (LLaDA's even split, Dream's
/// timestep counts), what threshold decoding commits on a trained model; the threshold rule itself), the same greedy
/// requests without a cache, with the prefix cache and with the dual cache (refreshing the canvas, the answer, or from
/// the finished block on: <see cref="CacheConfiguration.Compared"/>).
/// Reports answer tokens per second of wall time, the speed-up over no cache, and how much of the output stays the
/// same as without a cache (whole answers, and tokens position by position). After a warm-up of every mode, each cell
/// is timed by <see cref="BenchGeneration.Timed"/>.
/// </summary>
internal static class KvCacheBenchmark
{
    public static string Run(string folder, int threads, KvCacheSettings settings)
    {
        using var model = new BenchModel(folder, threads);
        var options = new EngineOptions { DefaultBlockLength = settings.BlockLength };
        using var engine = new DiffusionEngine(model.Transformer, options, new HashSet<int>(), NullLogger<DiffusionEngine>.Instance);
        int vocab = model.Config.VocabSize;
        Decoding[] decodings =
        [
            new("1 token/step", r => r),
            new("4 tokens/step", r => r with { Steps = Math.Max(r.MaxTokens / 4, 1) }),
            new(string.Create(CultureInfo.InvariantCulture, $"threshold {settings.Threshold}"), r => r with { Commit = CommitRule.Threshold, CommitParameter = settings.Threshold }),
        ];
        IReadOnlyList<int[]>? texts = settings.PromptText is { } path ? TextPrompts.Read(folder, path, settings.Prompt) : null;
        GenerationRequest Request(int seed, Decoding decoding, CacheConfiguration cache) =>
            cache.Apply(decoding.Apply(BenchGeneration.Request(vocab, seed, settings.Prompt, settings.MaxTokens, texts))) with { BlockLength = settings.BlockLength };

        foreach (CacheConfiguration cache in CacheConfiguration.Compared)
        {
            RunConcurrent(engine, 1, i => Request(1000 + i, decodings[0], cache) with { MaxTokens = settings.BlockLength * 2 });
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Block K/V caching, `{model.Name}` ({model.Shape})");
        text.AppendLine();
        string prompts = texts is null ? "random tokens" : $"tokens of text ({texts.Count} lines of {Path.GetFileName(settings.PromptText)})";
        text.AppendLine(CultureInfo.InvariantCulture, $"Prompt {settings.Prompt} {prompts}, max_tokens {settings.MaxTokens}, block {settings.BlockLength}, greedy, no end token (every answer runs to length). K/V cache per sequence: {model.Transformer.KvCacheBytes(settings.Prompt + settings.MaxTokens) / 1024.0:F0} KiB.");
        text.AppendLine();
        text.AppendLine("| concurrent | decoding | K/V cache | wall s | steps / request | tokens/s | vs none | answers identical to none | tokens same as none |");
        text.AppendLine("|---:|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (int n in settings.Concurrency)
        {
            foreach (Decoding decoding in decodings)
            {
                Answer[] exact = [];
                double exactSeconds = 0;
                foreach (CacheConfiguration cache in CacheConfiguration.Compared)
                {
                    (Answer[] answers, double seconds) = Timed(() => RunConcurrent(engine, n, i => Request(i, decoding, cache)));
                    if (cache.IsExact)
                    {
                        (exact, exactSeconds) = (answers, seconds);
                    }

                    int tokens = answers.Sum(a => a.Tokens.Count);
                    text.AppendLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"| {n} | {decoding.Name} | {cache.Name} | {seconds:F2} | {answers.Average(a => a.Steps):F1} | {tokens / seconds:F1} | {exactSeconds / seconds:F2}× | {IdenticalAnswers(answers, exact):P0} | {TokenAgreement(answers, exact):P1} |"));
                }
            }
        }

        return text.ToString();
    }

    /// <summary>How the requests of a row decode: a name for the table and the fields it sets.</summary>
    private sealed record Decoding(string Name, Func<GenerationRequest, GenerationRequest> Apply);
}
