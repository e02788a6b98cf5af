using System.Text;
using System.Text.RegularExpressions;

namespace Quicksilver.Engine.Tokenization;

/// <summary>
/// A deterministic byte-level BPE trainer. Text is pre-tokenised with GPT-2's pattern, identical pieces are
/// counted once, and then the most frequent adjacent pair is merged, again and again. Pair counts are updated
/// incrementally (only the words that contain the merged pair are revisited), so ~1 MB of text and a few thousand
/// merges take seconds.
/// </summary>
/// <remarks>
/// Determinism: the result depends only on the texts and the arguments. When pairs are equally frequent, the pair
/// with the smaller (left id, right id) wins; ids are the byte symbols' positions in GPT-2's order (0–255), then
/// 256 + k for the token made by merge k.
/// </remarks>
public static class BpeTrainer
{
    /// <summary>Queue order: higher count first; among equal counts, the smaller (left, right) pair.</summary>
    private static readonly Comparer<(long Count, long Pair)> MostFrequentFirst = Comparer<(long Count, long Pair)>.Create(
        static (x, y) => x.Count != y.Count ? y.Count.CompareTo(x.Count) : x.Pair.CompareTo(y.Pair));

    /// <summary>
    /// Learns up to <paramref name="mergeCount"/> merges from <paramref name="texts"/>. Training stops early when
    /// no pair occurs at least <paramref name="minFrequency"/> times.
    /// </summary>
    public static TrainedBpe Train(IEnumerable<string> texts, int mergeCount, int minFrequency = 2)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfNegative(mergeCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(minFrequency, 1);

        (int[][] words, long[] frequencies) = CountWords(texts);
        var vocabulary = new List<string>(ByteLevelAlphabet.Size + mergeCount);
        vocabulary.AddRange(ByteLevelAlphabet.Symbols);
        var merges = new List<BpeMerge>(mergeCount);

        var counts = new Dictionary<long, long>();
        var where = new Dictionary<long, List<int>>();
        for (int w = 0; w < words.Length; w++)
        {
            int[] symbols = words[w];
            for (int i = 0; i + 1 < symbols.Length; i++)
            {
                long pair = Pair(symbols[i], symbols[i + 1]);
                counts[pair] = counts.GetValueOrDefault(pair) + frequencies[w];
                AddOccurrence(where, pair, w);
            }
        }

        var queue = new PriorityQueue<long, (long Count, long Pair)>(counts.Count, MostFrequentFirst);
        foreach ((long pair, long count) in counts)
        {
            queue.Enqueue(pair, (count, pair));
        }

        var visited = new int[words.Length];
        Array.Fill(visited, -1);
        var delta = new Dictionary<long, long>();
        while (merges.Count < mergeCount && queue.TryDequeue(out long best, out (long Count, long Pair) entry))
        {
            if (!counts.TryGetValue(best, out long count) || count != entry.Count)
            {
                continue; // stale entry: the pair's count has changed since it was queued
            }

            if (count < minFrequency)
            {
                break;
            }

            int left = (int)(best >> 32);
            int right = (int)(best & 0xFFFFFFFF);
            int merged = vocabulary.Count;
            vocabulary.Add(vocabulary[left] + vocabulary[right]);
            merges.Add(new BpeMerge(vocabulary[left], vocabulary[right]));

            delta.Clear();
            foreach (int w in where[best])
            {
                if (visited[w] == merged)
                {
                    continue;
                }

                visited[w] = merged;
                int[] symbols = words[w];
                int[]? replaced = Merge(symbols, left, right, merged);
                if (replaced is null)
                {
                    continue;
                }

                long frequency = frequencies[w];
                for (int i = 0; i + 1 < symbols.Length; i++)
                {
                    long pair = Pair(symbols[i], symbols[i + 1]);
                    delta[pair] = delta.GetValueOrDefault(pair) - frequency;
                }

                for (int i = 0; i + 1 < replaced.Length; i++)
                {
                    long pair = Pair(replaced[i], replaced[i + 1]);
                    delta[pair] = delta.GetValueOrDefault(pair) + frequency;
                    if (replaced[i] == merged || replaced[i + 1] == merged)
                    {
                        AddOccurrence(where, pair, w);
                    }
                }

                words[w] = replaced;
            }

            where.Remove(best);
            foreach ((long pair, long change) in delta)
            {
                if (change == 0)
                {
                    continue;
                }

                long updated = counts.GetValueOrDefault(pair) + change;
                if (updated <= 0)
                {
                    counts.Remove(pair);
                    continue;
                }

                counts[pair] = updated;
                queue.Enqueue(pair, (updated, pair));
            }
        }

        return new TrainedBpe { Vocabulary = vocabulary, Merges = merges };
    }

    /// <summary>Pre-tokenises the texts and returns each distinct piece (as byte-symbol ids, in ordinal order of the piece) with its count.</summary>
    private static (int[][] Words, long[] Frequencies) CountWords(IEnumerable<string> texts)
    {
        Regex pattern = PreTokenizerPatterns.Gpt2Regex();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (string text in texts)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(texts));
            foreach (ValueMatch match in pattern.EnumerateMatches(text))
            {
                ReadOnlySpan<char> piece = text.AsSpan(match.Index, match.Length);
                lookup[piece] = lookup.TryGetValue(piece, out long count) ? count + 1 : 1;
            }
        }

        string[] pieces = [.. counts.Keys];
        Array.Sort(pieces, StringComparer.Ordinal);
        var words = new int[pieces.Length][];
        var frequencies = new long[pieces.Length];
        for (int w = 0; w < pieces.Length; w++)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(pieces[w]);
            var symbols = new int[bytes.Length];
            for (int i = 0; i < bytes.Length; i++)
            {
                symbols[i] = ByteLevelAlphabet.Gpt2Index(bytes[i]);
            }

            words[w] = symbols;
            frequencies[w] = counts[pieces[w]];
        }

        return (words, frequencies);
    }

    /// <summary>The word with every non-overlapping (left, right), scanned left to right, replaced by <paramref name="merged"/>; null when it has none.</summary>
    private static int[]? Merge(int[] symbols, int left, int right, int merged)
    {
        List<int>? result = null;
        for (int i = 0; i < symbols.Length; i++)
        {
            if (i + 1 < symbols.Length && symbols[i] == left && symbols[i + 1] == right)
            {
                result ??= [.. symbols.AsSpan(0, i)];
                result.Add(merged);
                i++;
            }
            else
            {
                result?.Add(symbols[i]);
            }
        }

        return result?.ToArray();
    }

    private static void AddOccurrence(Dictionary<long, List<int>> where, long pair, int word)
    {
        if (!where.TryGetValue(pair, out List<int>? list))
        {
            list = [];
            where[pair] = list;
        }

        if (list.Count == 0 || list[^1] != word)
        {
            list.Add(word);
        }
    }

    private static long Pair(int left, int right) => ((long)left << 32) | (uint)right;
}
