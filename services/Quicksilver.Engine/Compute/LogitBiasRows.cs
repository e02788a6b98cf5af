using System.Buffers;
using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute;

/// <summary>
/// One sequence's <c>logit_bias</c> on the logit rows it scores: rows <c>[FirstRow, FirstRow + RowCount)</c> each get
/// the biases <c>[FirstBias, FirstBias + BiasCount)</c> of a <see cref="TokenBias"/> list
/// (<see cref="IComputeBackend.AddLogitBias"/>). Mirrored by <c>LogitBiasRows</c> in <c>kernels/logit_bias.cu</c> (16 bytes).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct LogitBiasRows(int FirstRow, int RowCount, int FirstBias, int BiasCount)
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless the spans lie inside <paramref name="rows"/> rows in increasing
    /// order without sharing a row, their biases inside <paramref name="biases"/>, and each span names a token of
    /// <paramref name="vocab"/> at most once (so no two device threads add to one logit).
    /// </summary>
    public static void Check(int rows, int vocab, ReadOnlySpan<LogitBiasRows> spans, ReadOnlySpan<TokenBias> biases)
    {
        // Each token's last span, numbered from 1 (a constraint's ban list can name most of a vocabulary of 150,000).
        int[] lastSpan = ArrayPool<int>.Shared.Rent(Math.Max(vocab, 0));
        try
        {
            Array.Clear(lastSpan, 0, Math.Max(vocab, 0));
            CheckSpans(rows, vocab, spans, biases, lastSpan);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(lastSpan);
        }
    }

    private static void CheckSpans(int rows, int vocab, ReadOnlySpan<LogitBiasRows> spans, ReadOnlySpan<TokenBias> biases, int[] lastSpan)
    {
        int nextFreeRow = 0, number = 0;
        foreach (LogitBiasRows span in spans)
        {
            number++;
            if (span.FirstRow < nextFreeRow || span.RowCount < 0 || span.FirstRow > rows - span.RowCount)
            {
                throw new ArgumentException($"Logit-bias rows [{span.FirstRow}, +{span.RowCount}) are not after the previous span inside {rows} rows.", nameof(spans));
            }

            if (span.FirstBias < 0 || span.BiasCount < 0 || span.FirstBias > biases.Length - span.BiasCount)
            {
                throw new ArgumentException($"Logit biases [{span.FirstBias}, +{span.BiasCount}) are outside the {biases.Length} given.", nameof(spans));
            }

            foreach (TokenBias bias in biases.Slice(span.FirstBias, span.BiasCount))
            {
                if ((uint)bias.Token >= (uint)vocab || lastSpan[bias.Token] == number)
                {
                    throw new ArgumentException($"Logit-bias token {bias.Token} is outside the vocabulary [0, {vocab}) or named twice in one span.", nameof(biases));
                }

                lastSpan[bias.Token] = number;
            }

            nextFreeRow = span.FirstRow + span.RowCount;
        }
    }
}
