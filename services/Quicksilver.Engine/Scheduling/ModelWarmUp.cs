using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// Denoising steps of a small throw-away batch, run through the model once at load, before the pod reports ready
/// (what TGI calls its warm-up). A fresh process runs its first steps on unoptimised JIT code and grows the forward
/// workspace as it goes: on the local CPU platform the first step of three sequences of <c>quicksilver-tiny</c> took
/// 1.1–1.5 s and the next, of about twenty, 5.8–6.5 s, against about 0.05 s and 0.4 s warm. The first requests
/// after a deploy paid that, and admission control knew nothing about the pod's speed meanwhile. On CUDA the same steps
/// load the kernels and initialise cuBLAS. The steps use the serving path (forward pass, selection, commit) and are
/// neither metered nor counted in the engine's metrics: no engine exists yet.
/// </summary>
public static class ModelWarmUp
{
    /// <summary>Sequences in the warm-up batch.</summary>
    public const int Sequences = 4;

    private const int PromptTokens = 16;
    private const int AnswerTokens = 32;
    private const int BlockLength = 16;

    /// <summary>
    /// Runs <paramref name="steps"/> denoising steps (at most <see cref="MaxSteps"/>) of <see cref="Sequences"/>
    /// canvases of 16 prompt and 32 masked tokens, in two blocks; returns the steps run.
    /// </summary>
    public static int Run(DiffusionTransformer model, int steps)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ModelConfig config = model.Config;
        int[] prompt = [.. Enumerable.Range(0, PromptTokens).Select(i => i % config.VocabSize == config.MaskTokenId ? (i + 1) % config.VocabSize : i % config.VocabSize)];
        var plan = DiffusionPlan.Create(AnswerTokens, BlockLength, AnswerTokens, config.Architecture);
        var settings = new DecodingSettings(Temperature: 0, Seed: 0, RemaskingStrategy.LowConfidence);
        DenoisingSequence[] batch = [.. Enumerable.Range(0, Sequences).Select(_ =>
            new DenoisingSequence(prompt, plan, settings, config.MaskTokenId, new HashSet<int>(), CacheWindowRule.Of(config)))];
        int run = Math.Min(steps, MaxSteps);
        for (int step = 0; step < run; step++)
        {
            var denoising = DenoisingBatch.Prepare(batch, _ => null);
            denoising.Select(model);
            for (int i = 0; i < batch.Length; i++)
            {
                denoising.Commit(i);
            }
        }

        return run;
    }

    /// <summary>The most steps a warm-up runs: one per answer token.</summary>
    public const int MaxSteps = AnswerTokens;
}
