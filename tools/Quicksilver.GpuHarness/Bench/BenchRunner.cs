using System.Diagnostics;
using System.Text.Json;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cuda;
using Quicksilver.GpuHarness.Json;

namespace Quicksilver.GpuHarness.Bench;

/// <summary>
/// <c>bench</c>: the full-canvas denoising step of an LLaDA-8B-shaped model at several batch sizes, timed with CUDA
/// events (warm-up, then the median of N steps), with the FLOPs it does (body GEMMs, attention, LM head on the masked
/// rows only), the achieved rate and its fraction of a measured cuBLAS bf16 GEMM peak.
/// </summary>
internal static class BenchRunner
{
    public static int Run(CommandLine args)
    {
        int[] batches = args.Ints("batches", [1, 8, 32]);
        int[] blockBatches = args.Ints("block-batches", [1, 16]);
        int blockLength = args.Int("block", 32), modelledSteps = args.Int("modelled-steps", 32);
        int warmup = args.Int("warmup", 2), iterations = args.Int("iters", 5), gemmN = args.Int("gemm-n", 8192);
        double budget = args.Int("budget", 240);
        string output = args.String("out", "bench.json");
        CudaAttentionKernel attention = args.String("attention", "auto") switch
        {
            "auto" => CudaAttentionKernel.Auto,
            "tensor-core" or "mma" => CudaAttentionKernel.TensorCore,
            "simple" => CudaAttentionKernel.Simple,
            string other => throw new ArgumentException($"--attention {other}: expected auto, tensor-core or simple"),
        };

        var clock = Stopwatch.StartNew();
        string started = DateTime.UtcNow.ToString("O");
        using var backend = new CudaBackend(new CudaBackendOptions
        {
            AttentionKernel = attention,
            KernelSourceDirectory = args.OptionalString("kernel-dir"),
            Log = Console.WriteLine,
        });
        foreach ((string file, string error) in backend.KernelBuildFailures)
        {
            Console.Error.WriteLine($"bench: kernel module {file} failed to build: {error}");
        }

        BenchShape shape = BenchShape.FromArguments(args);
        int prompt = shape.Prompt, generation = shape.Generation;
        int blocks = (generation + blockLength - 1) / blockLength;
        if (modelledSteps < blocks)
        {
            throw new ArgumentException($"--modelled-steps {modelledSteps}: an answer of {generation} tokens in blocks of {blockLength} needs at least {blocks} steps (one refresh per block)");
        }
        var notes = new List<string>
        {
            "Step = embed + 32 blocks + gather masked rows + final norm + LM head (fp32 logits) + fused epilogue (T = 0) with the scores copied back; CUDA events around each step.",
            "FLOPs counted: body GEMMs 2·T·L·(4d² + 3·d·ff) (MHA), attention 4·B·L·n²·d (QKᵀ + PV, no mask), LM head 2·(B·gen)·d·vocab.",
            $"attention kernel: {backend.AttentionKernelName}",
        };
        Console.WriteLine($"bench: {backend.Description}");

        double peak = backend.MeasureGemmTflops(gemmN, 10);
        Console.WriteLine($"bench: cuBLAS bf16 GemmEx {gemmN}³ peak: {peak:F1} TFLOP/s (median of 10)");

        var init = Stopwatch.StartNew();
        using var model = new RandomDeviceModel(backend, shape, seed: 1234);
        double initMs = init.Elapsed.TotalMilliseconds;
        double weightGiB = shape.Parameters * 2 / (1024.0 * 1024 * 1024);
        Console.WriteLine($"bench: {shape.Parameters / 1e9:F2} B parameters ({weightGiB:F1} GiB bf16) created on the device in {initMs:F0} ms");

        var results = new List<BenchBatchResult>();
        double lastStepMsPerToken = 0;
        foreach (int batch in batches)
        {
            double remaining = budget - clock.Elapsed.TotalSeconds;
            int tokens = batch * shape.Canvas, scored = batch * generation;
            int iters = iterations;
            if (lastStepMsPerToken > 0)
            {
                double estimate = lastStepMsPerToken * tokens / 1000.0;
                int affordable = (int)((remaining / estimate) - warmup - 3);
                if (affordable < 1)
                {
                    notes.Add($"batch {batch} skipped: an estimated {estimate:F2} s per step does not fit the remaining {remaining:F0} s of the budget");
                    Console.WriteLine($"bench: batch {batch} skipped (time budget)");
                    continue;
                }

                iters = Math.Min(iters, affordable);
            }

            try
            {
                results.Add(RunBatch(backend, model, shape, batch, warmup, iters, peak));
                BenchBatchResult r = results[^1];
                lastStepMsPerToken = r.StepMsMedian / tokens;
                Console.WriteLine($"bench: batch {batch,3}: {r.StepMsMedian,9:F2} ms/step (min {r.StepMsMin:F2}, max {r.StepMsMax:F2}; attention {r.AttentionMs:F2}, LM head {r.LmHeadMs:F2}, epilogue {r.ScoreLogitsMs:F2}), {r.AchievedTflops,6:F1} TFLOP/s = {r.FractionOfGemmPeak:P1} of peak; {r.TokensPerSecondSteps256:F1} tok/s at 256 steps, {r.TokensPerSecondSteps64:F1} at 64");
            }
            catch (Exception e) when (e is CudaException or OutOfMemoryException or ArgumentException)
            {
                Console.Error.WriteLine($"bench: batch {batch} failed: {e.Message}");
                results.Add(new BenchBatchResult(batch, tokens, scored, double.NaN, double.NaN, double.NaN, [], double.NaN, double.NaN, double.NaN, 0, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, e.Message));
            }
        }

        var blockSteps = new List<BlockStepResult>();
        foreach (int batch in blockBatches)
        {
            if (clock.Elapsed.TotalSeconds > budget)
            {
                notes.Add($"block steps at batch {batch} skipped: the {budget} s budget is spent");
                continue;
            }

            try
            {
                BlockStepResult r = RunBlockSteps(backend, model, shape, batch, blockLength, blocks, modelledSteps, warmup, Math.Max(iterations, 10));
                blockSteps.Add(r);
                Console.WriteLine($"bench: dual cache, batch {batch,3}: refresh {r.RefreshGpuMs:F2} ms GPU, {r.RefreshWallMs:F2} ms wall; block step ({r.BlockRows} rows) {r.BlockStepGpuMs:F2} ms GPU, {r.BlockStepWallMs:F2} ms wall: GEMMs {r.GemmMs:F2} ms ({r.GemmWeightTerabytesPerSecond:F2} TB/s of weights), attention {r.AttentionMs:F2} (keys unsplit {r.UnsplitAttentionMs:F2}, {r.UnsplitAttentionMs / r.AttentionMs:F2}x; block step unsplit {r.UnsplitBlockStepGpuMs:F2} ms GPU; products unbatched: block step {r.UnbatchedBlockStepGpuMs:F2}, refresh {r.UnbatchedRefreshGpuMs:F2} ms GPU), LM head {r.LmHeadMs:F2}, other {r.OtherGpuMs:F2}; {r.LaunchesPerBlockStep} launches per block step; modelled {r.ModelledTokensPerSecondPerRequest:F0} tok/s per request for {generation} tokens in {modelledSteps} steps; later refreshes: answer {r.AnswerRefreshGpuMs:F2} ms GPU, {r.AnswerRefreshWallMs:F2} ms wall (modelled {r.ModelledAnswerTokensPerSecondPerRequest:F0} tok/s), frontier {r.FrontierRefreshesWallMs:F2} ms wall over {blocks - 1} blocks (modelled {r.ModelledFrontierTokensPerSecondPerRequest:F0} tok/s)");
            }
            catch (Exception e) when (e is CudaException or OutOfMemoryException or ArgumentException)
            {
                Console.Error.WriteLine($"bench: block steps at batch {batch} failed: {e.Message}");
                blockSteps.Add(BlockStepResult.Failed(batch, blockLength, modelledSteps, e.Message));
            }
        }

        notes.Add($"Block steps (at least 10 timed each): the dual cache's refresh (full canvas, K/V stored, the first block's {blockLength} masks scored, as the engine does) and a step over one block of {blockLength} masks per sequence attending over the cache; GPU time by CUDA events, wall time by the host clock around the step and its score download; modelled tok/s per request = {generation} / ({blocks} refreshes + {modelledSteps - blocks} block steps, both at wall time); with kv_cache_refresh answer / frontier the refreshes after the first are replaced by a refresh of the answer's rows / of the rows from the finished block on (timed at each block).");
        var report = new BenchReport(
            started,
            Summaries.Of(backend),
            "LLaDA-8B shape, random bf16 weights",
            shape.Layers,
            shape.Hidden,
            shape.Heads,
            shape.Intermediate,
            shape.Vocab,
            prompt,
            generation,
            weightGiB,
            initMs,
            gemmN,
            peak,
            $"single request (batch 1), one full-canvas step per denoising step, no cache: tokens/s = {generation} / (steps × step time); for batch B the same per sequence, times B in aggregate",
            results,
            blockSteps,
            notes);
        File.WriteAllText(output, JsonSerializer.Serialize(report, HarnessJsonContext.Default.BenchReport));
        Console.WriteLine($"bench: report → {Path.GetFullPath(output)} ({clock.Elapsed.TotalSeconds:F0} s)");
        return results.Count + blockSteps.Count > 0 && results.All(r => r.Error is null) && blockSteps.All(r => r.Error is null) ? 0 : 1;
    }

    private static BlockStepResult RunBlockSteps(CudaBackend backend, RandomDeviceModel model, BenchShape shape, int batch, int blockLength, int blocks, int modelledSteps, int warmup, int iterations)
    {
        IKvCache[] caches = [.. Enumerable.Range(0, batch).Select(_ => backend.AllocateKvCache(shape.Layers, shape.Canvas, shape.KvHeads * shape.HeadDim))];
        try
        {
            StepInputs refresh = StepInputs.Refresh(shape, caches, seed: 11 + batch, blockLength);
            StepInputs block = StepInputs.Block(shape, caches, blockLength);
            model.Allocate(batch * shape.Canvas, batch * blockLength);
            var refreshScores = new TokenScore[refresh.ScoreRows.Length];
            var blockScores = new TokenScore[block.ScoreRows.Length];
            double refreshGpuMs = Median(EventTimes(backend, warmup, iterations, () => model.Step(refresh, refreshScores)));
            double refreshWallMs = Median(WallTimes(iterations, () => model.Step(refresh, refreshScores)));
            CheckScores(refreshScores, shape.Vocab);
            double gpuMs = Median(EventTimes(backend, warmup, iterations, () => model.Step(block, blockScores)));
            double wallMs = Median(WallTimes(iterations, () => model.Step(block, blockScores)));
            CheckScores(blockScores, shape.Vocab);
            double gemmMs = Median(EventTimes(backend, 1, iterations, model.GemmsOnly));
            double attentionMs = Median(EventTimes(backend, 1, iterations, () => model.AttentionOnly(block)));
            double lmHeadMs = Median(EventTimes(backend, 1, iterations, () => model.LmHead(block)));
            long launchesBefore = backend.Launches;
            model.Step(block, blockScores);
            long launches = backend.Launches - launchesBefore;
            int? chosenSplits = backend.AttentionKeySplits;
            backend.AttentionKeySplits = 1;
            double unsplitAttentionMs, unsplitGpuMs;
            try
            {
                unsplitAttentionMs = Median(EventTimes(backend, 1, iterations, () => model.AttentionOnly(block)));
                unsplitGpuMs = Median(EventTimes(backend, warmup, iterations, () => model.Step(block, blockScores)));
                CheckScores(blockScores, shape.Vocab);
            }
            finally
            {
                backend.AttentionKeySplits = chosenSplits;
            }

            bool batched = backend.BatchSharedProducts;
            backend.BatchSharedProducts = false;
            double unbatchedRefreshGpuMs, unbatchedGpuMs;
            try
            {
                unbatchedRefreshGpuMs = Median(EventTimes(backend, warmup, iterations, () => model.Step(refresh, refreshScores)));
                CheckScores(refreshScores, shape.Vocab);
                unbatchedGpuMs = Median(EventTimes(backend, warmup, iterations, () => model.Step(block, blockScores)));
                CheckScores(blockScores, shape.Vocab);
            }
            finally
            {
                backend.BatchSharedProducts = batched;
            }

            // The later refreshes, scoring block b: with `answer` every block after the first refreshes the answer's
            // rows (timed for block 1; the others differ only in which rows are scored); with `frontier` block b
            // refreshes from block b − 1 on (each timed after one untimed run). An answer of one block has none; one
            // that does not end on a block boundary (a short last block) is not timed.
            bool timeLater = blocks > 1 && shape.Generation % blockLength == 0;
            double answerRefreshGpuMs = double.NaN, answerRefreshWallMs = double.NaN, frontierRefreshesWallMs = double.NaN;
            if (timeLater)
            {
                StepInputs answerRefresh = StepInputs.LaterRefresh(shape, caches, shape.Prompt, shape.Prompt + blockLength, blockLength);
                answerRefreshGpuMs = Median(EventTimes(backend, warmup, iterations, () => model.Step(answerRefresh, blockScores)));
                answerRefreshWallMs = Median(WallTimes(iterations, () => model.Step(answerRefresh, blockScores)));
                CheckScores(blockScores, shape.Vocab);
                frontierRefreshesWallMs = 0;
                for (int b = 1; b < blocks; b++)
                {
                    int decoded = shape.Prompt + (b * blockLength);
                    StepInputs frontier = StepInputs.LaterRefresh(shape, caches, decoded - blockLength, decoded, blockLength);
                    model.Step(frontier, blockScores);
                    frontierRefreshesWallMs += Median(WallTimes(iterations, () => model.Step(frontier, blockScores)));
                    CheckScores(blockScores, shape.Vocab);
                }
            }

            // One more block step as a profiler range, for a per-kernel breakdown under ncu --profile-from-start off.
            backend.Profiled(() => model.Step(block, blockScores));
            double blockStepsWallMs = (modelledSteps - blocks) * wallMs;
            double modelled = shape.Generation / (((blocks * refreshWallMs) + blockStepsWallMs) * 1e-3);
            double modelledAnswer = blocks == 1 ? modelled
                : shape.Generation / ((refreshWallMs + ((blocks - 1) * answerRefreshWallMs) + blockStepsWallMs) * 1e-3);
            double modelledFrontier = blocks == 1 ? modelled
                : shape.Generation / ((refreshWallMs + frontierRefreshesWallMs + blockStepsWallMs) * 1e-3);
            return new BlockStepResult(
                batch,
                blockLength,
                block.Tokens.Length,
                refreshGpuMs,
                unbatchedRefreshGpuMs,
                refreshWallMs,
                gpuMs,
                unbatchedGpuMs,
                wallMs,
                gemmMs,
                model.StepWeightBytes / (gemmMs * 1e-3) / 1e12,
                attentionMs,
                unsplitAttentionMs,
                unsplitGpuMs,
                launches,
                lmHeadMs,
                gpuMs - gemmMs - attentionMs,
                modelledSteps,
                modelled,
                answerRefreshGpuMs,
                answerRefreshWallMs,
                frontierRefreshesWallMs,
                modelledAnswer,
                modelledFrontier,
                null);
        }
        finally
        {
            foreach (IKvCache cache in caches)
            {
                cache.Dispose();
            }
        }
    }

    /// <summary>CUDA-event times of <paramref name="iterations"/> runs, in run order, after <paramref name="warmup"/> untimed ones.</summary>
    private static double[] EventTimes(CudaBackend backend, int warmup, int iterations, Action work)
    {
        for (int i = 0; i < warmup; i++)
        {
            work();
        }

        return [.. Enumerable.Range(0, iterations).Select(_ => backend.TimeMilliseconds(work))];
    }

    /// <summary>Host wall times of <paramref name="iterations"/> runs of work that ends by waiting for the device (a score download).</summary>
    private static double[] WallTimes(int iterations, Action work) =>
        [.. Enumerable.Range(0, iterations).Select(_ =>
        {
            long start = Stopwatch.GetTimestamp();
            work();
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        })];

    private static double Median(double[] samples)
    {
        double[] sorted = [.. samples.Order()];
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>Fails the batch when a forward pass produced garbage: a token outside the vocabulary or a non-finite probability.</summary>
    private static void CheckScores(TokenScore[] scores, int vocab)
    {
        int bad = scores.Count(s => s.Token < 0 || s.Token >= vocab || !float.IsFinite(s.Probability));
        if (bad > 0)
        {
            throw new CudaException($"{bad} of {scores.Length} token scores are out of range or not finite: the forward pass produced garbage");
        }
    }

    private static BenchBatchResult RunBatch(CudaBackend backend, RandomDeviceModel model, BenchShape shape, int batch, int warmup, int iterations, double peak)
    {
        int tokens = batch * shape.Canvas, scored = batch * shape.Generation;
        StepInputs inputs = StepInputs.Create(shape, batch, seed: 7 + batch, temperature: 0f);
        model.Allocate(tokens, scored);
        var scores = new TokenScore[scored];
        double[] samples = EventTimes(backend, warmup, iterations, () => model.Step(inputs, scores));
        double attentionMs = backend.TimeMilliseconds(() => model.AttentionOnly(inputs));
        double lmHeadMs = backend.TimeMilliseconds(() => model.LmHead(inputs));
        double scoreMs = backend.TimeMilliseconds(() => model.ScoreOnly(inputs, scores));
        CheckScores(scores, shape.Vocab);
        double median = Median(samples);
        double gemm = shape.BodyGemmFlops(tokens), attention = shape.AttentionFlops(batch), head = shape.LmHeadFlops(scored);
        double tflops = (gemm + attention + head) / (median * 1e-3) / 1e12;
        double perSequence(int steps) => shape.Generation / (steps * median * 1e-3);
        return new BenchBatchResult(
            batch,
            tokens,
            scored,
            median,
            samples.Min(),
            samples.Max(),
            samples,
            attentionMs,
            lmHeadMs,
            scoreMs,
            gemm,
            attention,
            head,
            tflops,
            tflops / peak,
            perSequence(256) * batch,
            perSequence(64) * batch,
            null);
    }
}
