using System.Globalization;
using Quicksilver.Bench;

// Usage: dotnet run -c Release --project tools/Quicksilver.Bench -- [--model DIR]... [--threads N] [--steps N] [--output FILE.md] [--torch PYTHON] [--torch-only]
//        [--matmul-only] [--attention-only] [--kv-cache [--prompt N] [--max-tokens N] [--block N] [--concurrency 1,16] [--threshold X] [--prompt-text FILE]]
//        [--block-causal [--prompt N] [--max-tokens N] [--block N]] [--scoring-only] [--constraints-only]
// Step timings for every model; end-to-end generation (concurrency 1/4/16, threshold decoding) for the first; with
// --torch, the same step against PyTorch for every model (--torch-only: just that comparison). --matmul-only runs only
// the matrix-product benchmark; --attention-only only grouped-query attention against its multi-head copy; --kv-cache only the block K/V cache comparison (none / prefix / dual, and dual with later refreshes) for every
// model, on random prompts or with --prompt-text on the first tokens of each line of a text file;
// --block-causal only the truncated no-cache forward of block-causal models against the whole canvas;
// --scoring-only only the LM-head epilogue with Dream's confidences against LLaDA's; --constraints-only only the
// host's scan of the tokens a constrained answer bans (structured output) against that epilogue, for the first model.
var models = new List<string>();
int threads = Environment.ProcessorCount, steps = 5;
string? output = null, python = null;
bool torchOnly = false, kvCacheOnly = false, matMulOnly = false, attentionOnly = false, blockCausalOnly = false, scoringOnly = false, constraintsOnly = false;
var kvCache = new KvCacheSettings();
const string Usage = "Usage: --model DIR [--model DIR] [--threads N] [--steps N] [--output FILE.md] [--torch PYTHON] [--torch-only] [--matmul-only] [--attention-only] [--kv-cache [--prompt N] [--max-tokens N] [--block N] [--concurrency 1,16] [--threshold X] [--prompt-text FILE]] [--block-causal] [--scoring-only] [--constraints-only]";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model": models.Add(args[++i]); break;
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--steps": steps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--output": output = args[++i]; break;
        case "--torch": python = args[++i]; break;
        case "--torch-only": torchOnly = true; break;
        case "--matmul-only": matMulOnly = true; break;
        case "--attention-only": attentionOnly = true; break;
        case "--kv-cache": kvCacheOnly = true; break;
        case "--block-causal": blockCausalOnly = true; break;
        case "--scoring-only": scoringOnly = true; break;
        case "--constraints-only": constraintsOnly = true; break;
        case "--prompt": kvCache = kvCache with { Prompt = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--max-tokens": kvCache = kvCache with { MaxTokens = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--block": kvCache = kvCache with { BlockLength = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--concurrency": kvCache = kvCache with { Concurrency = args[++i].Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray() }; break;
        case "--threshold": kvCache = kvCache with { Threshold = double.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--prompt-text": kvCache = kvCache with { PromptText = args[++i] }; break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. {Usage}");
            return 2;
    }
}

if (models.Count == 0)
{
    models.Add(RepositoryPaths.DefaultModel());
}

if (torchOnly && python is null)
{
    Console.Error.WriteLine("--torch-only needs --torch PYTHON.");
    return 2;
}

var report = new BenchReport(threads);
if (matMulOnly)
{
    report.Add(MatMulBenchmark.Run(threads));
}
else if (attentionOnly)
{
    report.Add(AttentionBenchmark.Run(threads));
}
else if (scoringOnly)
{
    report.Add(ScoringBenchmark.Run(threads));
}
else if (constraintsOnly)
{
    report.Add(ConstraintBenchmark.Run(models[0], threads));
}
else if (blockCausalOnly)
{
    foreach (string model in models)
    {
        report.Add(TruncationBenchmark.Run(model, threads, kvCache));
    }
}
else if (kvCacheOnly)
{
    foreach (string model in models)
    {
        report.Add(KvCacheBenchmark.Run(model, threads, kvCache));
    }
}
else if (!torchOnly)
{
    report.Add(MatMulBenchmark.Run(threads));
    report.Add(AttentionBenchmark.Run(threads));
    foreach (string model in models)
    {
        report.Add(StepBenchmark.Run(model, threads, steps, batchSizes: [1, 8]));
    }

    // End-to-end generation runs hundreds of steps: only on the first (small) model.
    report.Add(GenerationBenchmark.Run(models[0], threads, concurrency: [1, 4, 16]));
}

if (python is not null && !matMulOnly && !attentionOnly && !kvCacheOnly && !blockCausalOnly && !scoringOnly && !constraintsOnly)
{
    foreach (string model in models)
    {
        report.Add(TorchComparison.Run(model, threads, steps, batchSizes: [1, 8], python));
    }
}

string markdown = report.ToMarkdown();
Console.WriteLine(markdown);
if (output is not null)
{
    File.WriteAllText(output, markdown);
}

return 0;
