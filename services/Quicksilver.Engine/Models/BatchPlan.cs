using Quicksilver.Engine.Compute;

namespace Quicksilver.Engine.Models;

/// <summary>
/// A batch packed for the backend: the computed rows of every sequence (its K/V cache window; without a cache its
/// whole canvas, or for block-causal attention the canvas up to the attention block of its last scored row, since the
/// rows after it cannot change it) concatenated with their canvas positions, the attention layout (each sequence's keys: its own packed rows, or its
/// cache; block-causal for models with <see cref="ModelConfig.AttentionBlockLength"/>), the K/V rows to store in
/// caches, and the hidden rows to score.
/// </summary>
internal sealed record BatchPlan(int[] Tokens, int[] Positions, AttentionLayout Attention, KvCacheWrite[] CacheWrites, int[] ScoreRows)
{
    public int TokenCount => Tokens.Length;

    public static BatchPlan Create(IReadOnlyList<ForwardSequence> batch, ModelConfig config)
    {
        int total = 0, scored = 0, cached = 0;
        foreach (ForwardSequence sequence in batch)
        {
            Validate(sequence, config);
            (int start, int end) = ComputedRows(sequence, config);
            total += end - start;
            scored += sequence.ScorePositions.Count;
            cached += sequence.Cache is null ? 0 : 1;
        }

        var tokens = new int[total];
        var positions = new int[total];
        var queryOffsets = new int[batch.Count + 1];
        var keys = new AttentionKeys[batch.Count];
        var writes = new KvCacheWrite[cached];
        var scoreRows = new int[scored];
        int at = 0, r = 0, w = 0;
        for (int s = 0; s < batch.Count; s++)
        {
            ForwardSequence sequence = batch[s];
            int canvas = sequence.Tokens.Length;
            (int start, int end) = ComputedRows(sequence, config);
            queryOffsets[s] = at;
            sequence.Tokens.Span[start..end].CopyTo(tokens.AsSpan(at));
            for (int p = start; p < end; p++)
            {
                positions[at + p - start] = p;
            }

            if (sequence.Cache is { } cache)
            {
                keys[s] = new AttentionKeys(0, canvas, cache.Storage, start);
                writes[w++] = new KvCacheWrite(cache.Storage, at, start, end - start);
            }
            else
            {
                keys[s] = new AttentionKeys(at, end);
            }

            foreach (int position in sequence.ScorePositions)
            {
                int row = LogitShift.ScoreRow(position, config.ShiftLogits);
                if ((uint)position >= (uint)canvas || row < start || row >= end)
                {
                    throw new ArgumentOutOfRangeException(nameof(batch), $"Score position {position} needs canvas row {row}, outside the computed rows [{start}, {end}) of a canvas of {canvas}.");
                }

                scoreRows[r++] = at + row - start;
            }

            at += end - start;
        }

        queryOffsets[batch.Count] = at;
        var attention = new AttentionLayout(queryOffsets, keys) { CausalBlockLength = config.AttentionBlockLength };
        return new BatchPlan(tokens, positions, attention, writes, scoreRows);
    }

    /// <summary>The canvas rows <c>[Start, End)</c> the forward pass computes for <paramref name="sequence"/>.</summary>
    public static (int Start, int End) ComputedRows(ForwardSequence sequence, ModelConfig config)
    {
        if (sequence.Cache is { } window)
        {
            return (window.Start, window.End);
        }

        int canvas = sequence.Tokens.Length, lastScoreRow = -1;
        foreach (int position in sequence.ScorePositions)
        {
            lastScoreRow = Math.Max(lastScoreRow, LogitShift.ScoreRow(position, config.ShiftLogits));
        }

        return (0, lastScoreRow < 0 ? canvas : CacheWindowRule.Of(config).UncachedEnd(lastScoreRow, canvas));
    }

    private static void Validate(ForwardSequence sequence, ModelConfig config)
    {
        int canvas = sequence.Tokens.Length;
        if (canvas == 0)
        {
            throw new ArgumentException("A sequence in the batch is empty.", nameof(sequence));
        }

        if (canvas > config.MaxSequenceLength)
        {
            throw new ArgumentException($"A sequence of {canvas} tokens exceeds the model's {config.MaxSequenceLength}.", nameof(sequence));
        }

        if (sequence.Sampling.Count != sequence.ScorePositions.Count)
        {
            throw new ArgumentException("Each score position needs one sampling entry.", nameof(sequence));
        }

        if (sequence.Cache is { } window)
        {
            IKvCache storage = window.Storage ?? throw new ArgumentException("A K/V cache window has no storage.", nameof(sequence));
            if (window.Start < 0 || window.End > canvas || window.Start >= window.End)
            {
                throw new ArgumentException($"The K/V cache window [{window.Start}, {window.End}) is not a non-empty range of the canvas of {canvas}.", nameof(sequence));
            }

            if (storage.Layers != config.LayerCount || storage.Positions < canvas || storage.KeyValueWidth != config.KeyValueHeadCount * config.HeadDim)
            {
                throw new ArgumentException(
                    $"The K/V cache holds {storage.Layers} layers × {storage.Positions} positions of {storage.KeyValueWidth}; the model needs {config.LayerCount} × {canvas} of {config.KeyValueHeadCount * config.HeadDim}.",
                    nameof(sequence));
            }
        }
    }
}
