namespace Quicksilver.Engine.Models;

/// <summary>A batch packed for the backend: concatenated tokens, their positions, sequence offsets and the hidden rows to score.</summary>
internal sealed record BatchPlan(int[] Tokens, int[] Positions, int[] Offsets, int[] ScoreRows)
{
    public int TokenCount => Tokens.Length;

    public static BatchPlan Create(IReadOnlyList<ForwardSequence> batch, ModelConfig config)
    {
        int total = 0, scored = 0;
        foreach (ForwardSequence sequence in batch)
        {
            if (sequence.Tokens.Length == 0)
            {
                throw new ArgumentException("A sequence in the batch is empty.", nameof(batch));
            }

            if (sequence.Tokens.Length > config.MaxSequenceLength)
            {
                throw new ArgumentException($"A sequence of {sequence.Tokens.Length} tokens exceeds the model's {config.MaxSequenceLength}.", nameof(batch));
            }

            if (sequence.Sampling.Count != sequence.ScorePositions.Count)
            {
                throw new ArgumentException("Each score position needs one sampling entry.", nameof(batch));
            }

            total += sequence.Tokens.Length;
            scored += sequence.ScorePositions.Count;
        }

        var tokens = new int[total];
        var positions = new int[total];
        var offsets = new int[batch.Count + 1];
        var scoreRows = new int[scored];
        int at = 0, r = 0;
        for (int s = 0; s < batch.Count; s++)
        {
            ForwardSequence sequence = batch[s];
            int length = sequence.Tokens.Length;
            offsets[s] = at;
            sequence.Tokens.Span.CopyTo(tokens.AsSpan(at));
            for (int p = 0; p < length; p++)
            {
                positions[at + p] = p;
            }

            foreach (int position in sequence.ScorePositions)
            {
                if ((uint)position >= (uint)length)
                {
                    throw new ArgumentOutOfRangeException(nameof(batch), $"Score position {position} is outside a canvas of {length}.");
                }

                // Dream predicts position i from the hidden state at i − 1 (logits shifted right by one; position 0 keeps its own).
                scoreRows[r++] = at + (config.ShiftLogits ? Math.Max(position - 1, 0) : position);
            }

            at += length;
        }

        offsets[batch.Count] = at;
        return new BatchPlan(tokens, positions, offsets, scoreRows);
    }
}
