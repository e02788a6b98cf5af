using System.Globalization;
using System.Text;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Models;

namespace Quicksilver.Bench;

/// <summary>
/// One denoising step without caching: a full-canvas forward (prompt 64 + answer 128) per sequence, scoring the
/// 32 masked positions of the first block. With one token committed per step (steps = answer length, LLaDA's best
/// quality setting) a sequence gains one token per step, so tokens/s = batch / step time.
/// </summary>
internal static class StepBenchmark
{
    public const int Prompt = 64, Answer = 128, Block = 32;

    public static string Run(string folder, int threads, int repeats, int[] batchSizes)
    {
        using var model = new BenchModel(folder, threads);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Denoising step, `{model.Name}` ({model.Shape})");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Canvas {Prompt} prompt + {Answer} masks, {Block} positions scored per sequence; median of up to {repeats} runs (20 s budget) after 3 warm-ups.");
        text.AppendLine();
        text.AppendLine("| batch | ms / step | tokens/s (1 token/step) | GFLOP/step | GFLOP/s |");
        text.AppendLine("|---:|---:|---:|---:|---:|");
        foreach (int batch in batchSizes)
        {
            ForwardSequence[] sequences = Enumerable.Range(0, batch).Select(s => Sequence(model.Config, s)).ToArray();
            var scores = new TokenScore[batch * Block];
            double ms = Timing.MedianMilliseconds(repeats, () => model.Transformer.Forward(sequences, scores));
            double gflop = model.ForwardFlops(batch, Prompt + Answer, Block) / 1e9;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {batch} | {ms:F1} | {batch * 1000 / ms:F1} | {gflop:F2} | {gflop * 1000 / ms:F1} |");
        }

        return text.ToString();
    }

    /// <summary>The benchmark's canvas for one sequence: <see cref="Prompt"/> random tokens, then masks; the first block scored.</summary>
    public static ForwardSequence Sequence(ModelConfig config, int seed)
    {
        var random = new Random(seed);
        int[] tokens = new int[Prompt + Answer];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = i < Prompt ? random.Next(config.VocabSize) : config.MaskTokenId;
        }

        int[] positions = Enumerable.Range(Prompt, Block).ToArray();
        return new ForwardSequence(tokens, positions, positions.Select(_ => new RowSampling(0f, 0, 0)).ToArray());
    }
}
