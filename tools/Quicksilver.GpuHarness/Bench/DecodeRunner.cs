using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Bench;
using Quicksilver.Engine;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute.Cuda;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;
using Quicksilver.GpuHarness.Json;
using static Quicksilver.Bench.BenchGeneration;

namespace Quicksilver.GpuHarness.Bench;

/// <summary>
/// <c>decode</c>: whole answers through the engine's own step loop (<see cref="DiffusionEngine"/>, the same code a pod
/// runs) on the CUDA backend, for an LLaDA-8B-shaped model with random weights (<see cref="RandomWeightBackend"/>
/// over a checkpoint whose data is a hole). For each concurrency and decoding (a fixed number of steps, or the
/// threshold rule), the same greedy requests without a cache, with the prefix cache and with the dual cache: answer
/// tokens per second of wall time (host scheduling, transfers and selection included), the speed-up over no cache,
/// and how much of the output the caches leave unchanged. Cells run in order and one whose estimated time no longer
/// fits the budget is recorded as skipped.
/// </summary>
internal static class DecodeRunner
{
    private static readonly KvCacheMode[] Modes = [KvCacheMode.None, KvCacheMode.Prefix, KvCacheMode.Dual];

    public static int Run(CommandLine args)
    {
        int block = args.Int("block", 32);
        int[] concurrency = args.Ints("concurrency", [1, 16]);
        int[] steps = args.Ints("steps", [32, 64, 256]);
        double threshold = double.Parse(args.String("threshold", "0.9"), CultureInfo.InvariantCulture);
        double budget = args.Int("budget", 240);
        string output = args.String("out", "decode.json");
        BenchShape shape = BenchShape.FromArguments(args);
        var clock = Stopwatch.StartNew();
        string started = DateTime.UtcNow.ToString("O");
        using var cuda = new CudaBackend(new CudaBackendOptions { KernelSourceDirectory = args.OptionalString("kernel-dir"), Log = Console.WriteLine });
        Console.WriteLine($"decode: {cuda.Description}");
        DirectoryInfo folder = Directory.CreateTempSubdirectory("qs-decode-");
        try
        {
            return Run(cuda, shape, block, folder.FullName, concurrency, steps, threshold, budget, output, started, clock);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static int Run(CudaBackend cuda, BenchShape shape, int block, string folder, int[] concurrency, int[] steps, double threshold, double budget, string output, string started, Stopwatch clock)
    {
        ModelConfig config = shape.ToModelConfig();
        int prompt = shape.Prompt, maxTokens = shape.Generation;
        string checkpoint = Path.Combine(folder, "model.safetensors");
        SafetensorsWriter.WriteUnfilled(checkpoint, [.. WeightSpec.Required(config).Select(w => (w.Name, TensorDType.BF16, w.Shape))]);

        var load = Stopwatch.StartNew();
        using ITensorSource tensors = CheckpointLoader.OpenFile(checkpoint);
        using var backend = new RandomWeightBackend(cuda, seed: 1234);
        using var model = new DiffusionTransformer(config, tensors, backend);
        cuda.Synchronize();
        double loadMs = load.Elapsed.TotalMilliseconds;
        int canvas = prompt + maxTokens, most = concurrency.Max();
        long cacheBytes = model.KvCacheBytes(canvas);
        Console.WriteLine($"decode: {shape.Parameters / 1e9:F2} B parameters bound in {loadMs:F0} ms; K/V cache {cacheBytes / 1048576.0:F0} MiB per sequence");

        var options = new EngineOptions
        {
            DefaultBlockLength = block,
            MaxActiveSequences = most,
            MaxTokensPerStep = most * canvas,
            MaxKvCacheBytes = most * cacheBytes,
            QueueTimeout = TimeSpan.FromMinutes(10),
            MaxExpectedQueueWait = TimeSpan.FromMinutes(10),
        };
        using var engine = new DiffusionEngine(model, options, new HashSet<int>(), NullLogger<DiffusionEngine>.Instance);
        GenerationRequest Request(int seed, Decoding decoding, KvCacheMode mode) =>
            decoding.Apply(BenchGeneration.Request(config.VocabSize, seed, prompt, maxTokens)) with { KvCache = mode, BlockLength = block };

        Decoding[] decodings =
        [
            .. steps.Select(n => new Decoding($"{n} steps", n, r => r with { Steps = n })),
            new(string.Create(CultureInfo.InvariantCulture, $"threshold {threshold}"), maxTokens, r => r with { Commit = CommitRule.Threshold, CommitParameter = threshold }),
        ];
        foreach (KvCacheMode mode in Modes)
        {
            RunConcurrent(engine, 1, i => Request(1000 + i, decodings[0], mode) with { MaxTokens = block * 2 });
        }

        var rows = new List<DecodeRow>();
        var secondsPerStep = new Dictionary<(int, KvCacheMode), double>();
        foreach (int n in concurrency)
        {
            foreach (Decoding decoding in decodings)
            {
                Answer[]? exact = null;
                double exactSeconds = double.NaN;
                foreach (KvCacheMode mode in Modes)
                {
                    string name = mode.ToString().ToLowerInvariant();
                    double remaining = budget - clock.Elapsed.TotalSeconds;
                    double estimate = secondsPerStep.TryGetValue((n, mode), out double perStep) ? perStep * decoding.MostSteps : 0;
                    if (estimate > remaining)
                    {
                        string why = $"an estimated {estimate:F1} s does not fit the {remaining:F0} s left of the budget";
                        rows.Add(new DecodeRow(n, decoding.Name, name, double.NaN, double.NaN, double.NaN, double.NaN, null, null, null, why));
                        Console.WriteLine($"decode: {n} × {decoding.Name}, {name}: skipped ({why})");
                        continue;
                    }

                    (Answer[] answers, double seconds) = Timed(() => RunConcurrent(engine, n, i => Request(i, decoding, mode)), maxRepeats: 3);
                    double meanSteps = answers.Average(a => a.Steps);
                    secondsPerStep[(n, mode)] = seconds / meanSteps;
                    if (mode == KvCacheMode.None)
                    {
                        (exact, exactSeconds) = (answers, seconds);
                    }

                    int tokens = answers.Sum(a => a.Tokens.Count);
                    var row = new DecodeRow(
                        n,
                        decoding.Name,
                        name,
                        seconds,
                        meanSteps,
                        tokens / seconds,
                        tokens / seconds / n,
                        exact is null ? null : exactSeconds / seconds,
                        exact is null ? null : IdenticalAnswers(answers, exact),
                        exact is null ? null : TokenAgreement(answers, exact),
                        null);
                    rows.Add(row);
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"decode: {n,2} × {decoding.Name,-14} {name,-6} {seconds,7:F3} s, {meanSteps,5:F1} steps, {row.TokensPerSecond,8:F1} tok/s ({row.TokensPerSecondPerRequest:F1} per request)")
                        + (exact is null ? ", no no-cache run to compare with" : string.Create(CultureInfo.InvariantCulture, $", {row.SpeedupOverNone:F2}× none, {row.IdenticalToNone:P0} answers / {row.TokensSameAsNone:P1} tokens as none")));
                }
            }
        }

        var report = new DecodeReport(
            started,
            Summaries.Of(cuda),
            $"LLaDA-8B shape ({shape.Layers} layers, d {shape.Hidden}, ff {shape.Intermediate}, vocab {shape.Vocab}), random bf16 weights",
            shape.Parameters,
            prompt,
            maxTokens,
            block,
            cacheBytes / 1048576.0,
            loadMs,
            rows,
            [
                "Greedy requests of random prompt tokens, no end token: every answer is max_tokens long.",
                "Each cell after a warm-up of every mode; a cell under 1 s is the median of up to 3 runs.",
                "On random weights no position reaches the threshold, so threshold decoding commits one token per step (Fast-dLLM's at-least-one rule): its row shows the cost of the rule, not the step count a trained model reaches. The fixed step counts stand in for that (a quarter or an eighth of the tokens per step).",
            ]);
        File.WriteAllText(output, JsonSerializer.Serialize(report, HarnessJsonContext.Default.DecodeReport));
        Console.WriteLine($"decode: report → {Path.GetFullPath(output)} ({clock.Elapsed.TotalSeconds:F0} s)");
        return 0;
    }

    /// <summary>A decoding: its name, the most steps a request can take with it (for the budget), and the fields it sets.</summary>
    private sealed record Decoding(string Name, int MostSteps, Func<GenerationRequest, GenerationRequest> Apply);
}
