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
/// over a checkpoint whose data is a hole), or with <c>--model</c> a model folder's trained weights (with
/// <c>--prompt-text</c>, prompted with lines of text through its tokenizer, <see cref="TextPrompts"/>). For each
/// concurrency and decoding (a fixed number of steps, or the threshold rule), the same greedy requests without a
/// cache, with the prefix cache and with the dual cache (refreshing the canvas, the answer, or from the finished block
/// on: <see cref="CacheConfiguration.Compared"/>): answer tokens per second of wall time (host scheduling,
/// transfers and selection included), the speed-up over no cache, and how much of the output the caches leave
/// unchanged. Cells run in order; one whose estimated time no longer fits the budget is recorded as skipped.
/// </summary>
internal static class DecodeRunner
{
    public static int Run(CommandLine args)
    {
        var settings = new DecodeSettings(
            args.Int("block", 32),
            args.Ints("concurrency", [1, 16]),
            args.Ints("steps", [32, 64, 256]),
            double.Parse(args.String("threshold", "0.9"), CultureInfo.InvariantCulture),
            args.Int("budget", 240),
            args.String("out", "decode.json"),
            Stopwatch.StartNew(),
            DateTime.UtcNow.ToString("O"));
        using var cuda = new CudaBackend(new CudaBackendOptions { KernelSourceDirectory = args.OptionalString("kernel-dir"), Log = Console.WriteLine });
        Console.WriteLine($"decode: {cuda.Description}");
        BenchShape shape = BenchShape.FromArguments(args);
        string? promptText = args.OptionalString("prompt-text");
        if (args.OptionalString("model") is { } modelFolder)
        {
            return RunTrained(cuda, modelFolder, promptText, shape.Prompt, shape.Generation, settings);
        }

        if (promptText is not null)
        {
            throw new ArgumentException("--prompt-text needs --model: text is encoded by the model's tokenizer.");
        }

        DirectoryInfo folder = Directory.CreateTempSubdirectory("qs-decode-");
        try
        {
            return RunRandom(cuda, shape, folder.FullName, settings);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A model folder's own weights on the CUDA backend (accuracy of the caches on a trained model).</summary>
    private static int RunTrained(CudaBackend cuda, string modelFolder, string? promptText, int prompt, int maxTokens, DecodeSettings settings)
    {
        ModelConfig config = ModelConfigReader.Read(Path.Combine(modelFolder, "config.json"));
        var load = Stopwatch.StartNew();
        using ITensorSource tensors = CheckpointLoader.Open(modelFolder);
        using var model = new DiffusionTransformer(config, tensors, cuda);
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(modelFolder));
        string description = $"{name} ({config.Architecture}, d {config.HiddenSize}, {config.LayerCount} layers, vocab {config.VocabSize}), its trained weights";
        IReadOnlyList<int[]>? texts = promptText is null ? null : TextPrompts.Read(modelFolder, promptText, prompt);
        string[] notes =
        [
            texts is null
                ? "Prompts are random token ids, not text, so the answers reply to noise: read the ratios and the agreement with no cache, which is the accuracy cost of the caches on a trained model."
                : $"Prompts are the first {prompt} tokens of the lines of {Path.GetFileName(promptText)} ({texts.Count} long enough), request i taking line i: read the agreement with no cache, the accuracy cost of the caches on a trained model.",
        ];
        return Measure(new MeasuredModel(model, description, load.Elapsed.TotalMilliseconds, prompt, maxTokens, notes) { TextPrompts = texts }, cuda, settings);
    }

    /// <summary>The LLaDA-8B shape with random device weights, bound from a checkpoint whose data is a hole.</summary>
    private static int RunRandom(CudaBackend cuda, BenchShape shape, string folder, DecodeSettings settings)
    {
        ModelConfig config = shape.ToModelConfig();
        string checkpoint = Path.Combine(folder, "model.safetensors");
        SafetensorsWriter.WriteUnfilled(checkpoint, [.. WeightSpec.Required(config).Select(w => (w.Name, TensorDType.BF16, w.Shape))]);
        var load = Stopwatch.StartNew();
        using ITensorSource tensors = CheckpointLoader.OpenFile(checkpoint);
        using var backend = new RandomWeightBackend(cuda, seed: 1234);
        using var model = new DiffusionTransformer(config, tensors, backend);
        cuda.Synchronize();
        string description = $"LLaDA-8B shape ({shape.Layers} layers, d {shape.Hidden}, ff {shape.Intermediate}, vocab {shape.Vocab}), random bf16 weights";
        string[] notes = ["On random weights no position reaches the threshold, so threshold decoding commits one token per step (Fast-dLLM's at-least-one rule): its rows show the cost of the rule, not the step count a trained model reaches; the fixed step counts stand in for that. Every logit row of a random model is nearly flat, so the caches' agreement with no cache here says little about a trained model (see --model)."];
        return Measure(new MeasuredModel(model, description, load.Elapsed.TotalMilliseconds, shape.Prompt, shape.Generation, notes), cuda, settings);
    }

    /// <summary>A model to decode with, and what the report says of it.</summary>
    private sealed record MeasuredModel(DiffusionTransformer Transformer, string Description, double LoadMs, int Prompt, int MaxTokens, IReadOnlyList<string> Notes)
    {
        /// <summary>Prompts of text, request i taking the i-th (cyclically); null for random token ids.</summary>
        public IReadOnlyList<int[]>? TextPrompts { get; init; }
    }

    private static int Measure(MeasuredModel measured, CudaBackend cuda, DecodeSettings settings)
    {
        (DiffusionTransformer model, string description, double loadMs, int prompt, int maxTokens, _) = measured;
        (int block, int[] concurrency, int[] steps, double threshold, double budget, string output, Stopwatch clock, string started) = settings;
        ModelConfig config = model.Config;
        double parameters = WeightSpec.Required(config).Sum(w => (double)w.Shape.Aggregate(1L, (a, b) => a * b));
        int canvas = prompt + maxTokens, most = concurrency.Max();
        long cacheBytes = model.KvCacheBytes(canvas);
        Console.WriteLine($"decode: {description}: {parameters / 1e9:F3} B parameters bound in {loadMs:F0} ms; K/V cache {cacheBytes / 1048576.0:F1} MiB per sequence");

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
        GenerationRequest Request(int seed, Decoding decoding, CacheConfiguration cache) =>
            cache.Apply(decoding.Apply(BenchGeneration.Request(config.VocabSize, seed, prompt, maxTokens, measured.TextPrompts))) with { BlockLength = block };

        Decoding[] decodings =
        [
            .. steps.Select(n => new Decoding($"{n} steps", n, r => r with { Steps = n })),
            new(string.Create(CultureInfo.InvariantCulture, $"threshold {threshold}"), maxTokens, r => r with { Commit = CommitRule.Threshold, CommitParameter = threshold }),
        ];
        foreach (CacheConfiguration cache in CacheConfiguration.Compared)
        {
            RunConcurrent(engine, 1, i => Request(1000 + i, decodings[0], cache) with { MaxTokens = Math.Min(block * 2, maxTokens) }); // within the cache budget, sized for max_tokens
        }

        var rows = new List<DecodeRow>();
        string[] notes =
        [
            measured.TextPrompts is null
                ? "Greedy requests of random prompt tokens, no end token: every answer is max_tokens long."
                : "Greedy requests of text prompts, no end token: every answer is max_tokens long.",
            "Each cell after a warm-up of every mode; a cell under 1 s is the median of up to 3 runs.",
            .. measured.Notes,
        ];

        // Written after every cell, so a run stopped at its time limit keeps what it measured.
        void Save() => File.WriteAllText(
            output,
            JsonSerializer.Serialize(new DecodeReport(started, Summaries.Of(cuda), description, parameters, prompt, maxTokens, block, cacheBytes / 1048576.0, loadMs, rows, notes), HarnessJsonContext.Default.DecodeReport));

        var secondsPerStep = new Dictionary<(int, CacheConfiguration), double>();
        int previous = 0;
        foreach (int n in concurrency)
        {
            foreach (Decoding decoding in decodings)
            {
                Answer[]? exact = null;
                double exactSeconds = double.NaN;
                foreach (CacheConfiguration cache in CacheConfiguration.Compared)
                {
                    string name = cache.Name;
                    double remaining = budget - clock.Elapsed.TotalSeconds;
                    double estimate = EstimatedSeconds(secondsPerStep, n, previous, cache, decoding.MostSteps);
                    if (estimate > remaining)
                    {
                        string why = $"an estimated {estimate:F1} s does not fit the {remaining:F0} s left of the budget";
                        rows.Add(new DecodeRow(n, decoding.Name, name, double.NaN, double.NaN, double.NaN, double.NaN, null, null, null, why));
                        Console.WriteLine($"decode: {n} × {decoding.Name}, {name}: skipped ({why})");
                        continue;
                    }

                    (Answer[] answers, double seconds) = Timed(() => RunConcurrent(engine, n, i => Request(i, decoding, cache)), maxRepeats: 3);
                    double meanSteps = answers.Average(a => a.Steps);
                    secondsPerStep[(n, cache)] = seconds / meanSteps;
                    if (cache.IsExact)
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
                    Save();
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"decode: {n,2} × {decoding.Name,-14} {name,-13} {seconds,7:F3} s, {meanSteps,5:F1} steps, {row.TokensPerSecond,8:F1} tok/s ({row.TokensPerSecondPerRequest:F1} per request)")
                        + (exact is null ? ", no no-cache run to compare with" : string.Create(CultureInfo.InvariantCulture, $", {row.SpeedupOverNone:F2}× none, {row.IdenticalToNone:P0} answers / {row.TokensSameAsNone:P1} tokens as none")));
                }
            }

            previous = n;
        }

        Save();
        Console.WriteLine($"decode: report → {Path.GetFullPath(output)} ({clock.Elapsed.TotalSeconds:F0} s)");
        return 0;
    }

    /// <summary>
    /// A cell's expected seconds: its most steps at the seconds per step measured at this concurrency with this cache
    /// mode; before any, at the previous concurrency's scaled up by the ratio of the two (a step of more sequences
    /// costs at most that much more); zero when nothing is known yet.
    /// </summary>
    private static double EstimatedSeconds(Dictionary<(int, CacheConfiguration), double> secondsPerStep, int concurrency, int previous, CacheConfiguration cache, int steps)
    {
        if (secondsPerStep.TryGetValue((concurrency, cache), out double perStep))
        {
            return perStep * steps;
        }

        return previous > 0 && secondsPerStep.TryGetValue((previous, cache), out double before) ? before * concurrency / previous * steps : 0;
    }

    /// <summary>What every cell shares: block length, concurrency levels, step counts, threshold, time budget and report path.</summary>
    private sealed record DecodeSettings(int Block, int[] Concurrency, int[] Steps, double Threshold, double Budget, string Output, Stopwatch Clock, string Started);

    /// <summary>A decoding: its name, the most steps a request can take with it (for the budget), and the fields it sets.</summary>
    private sealed record Decoding(string Name, int MostSteps, Func<GenerationRequest, GenerationRequest> Apply);
}
