using Quicksilver.Engine.Compute;

namespace Quicksilver.GpuHarness.Bench;

/// <summary>
/// The host arguments of one full-canvas step for a batch: every sequence is a prompt of random tokens followed by
/// mask ids; the LM head scores the masked positions.
/// </summary>
internal sealed record StepInputs(int[] Tokens, int[] Positions, AttentionLayout Layout, int[] ScoreRows, RowSampling[] Sampling)
{
    public static StepInputs Create(BenchShape shape, int batch, int seed, float temperature)
    {
        var random = new Random(seed);
        int canvas = shape.Canvas;
        var tokens = new int[batch * canvas];
        var positions = new int[batch * canvas];
        var offsets = new int[batch + 1];
        var scoreRows = new int[batch * shape.Generation];
        for (int s = 0; s < batch; s++)
        {
            offsets[s + 1] = offsets[s] + canvas;
            for (int i = 0; i < canvas; i++)
            {
                int row = (s * canvas) + i;
                positions[row] = i;
                tokens[row] = i < shape.Prompt ? random.Next(BenchShape.MaskTokenId) : BenchShape.MaskTokenId;
            }

            for (int g = 0; g < shape.Generation; g++)
            {
                scoreRows[(s * shape.Generation) + g] = (s * canvas) + shape.Prompt + g;
            }
        }

        RowSampling[] sampling = Enumerable.Range(0, scoreRows.Length).Select(r => new RowSampling(temperature, (ulong)seed, (ulong)r)).ToArray();
        return new StepInputs(tokens, positions, AttentionLayout.SelfAttention(offsets), scoreRows, sampling);
    }
}
