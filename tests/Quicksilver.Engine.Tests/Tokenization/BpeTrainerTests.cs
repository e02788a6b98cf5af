using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Quicksilver.Engine.Tokenization;
using Xunit.Abstractions;

namespace Quicksilver.Engine.Tests.Tokenization;

public sealed class BpeTrainerTests(ITestOutputHelper output)
{
    [Fact]
    public void Train_SameInput_GivesSameMerges()
    {
        string text = SyntheticCorpus.Generate(50_000, seed: 7);

        TrainedBpe first = BpeTrainer.Train([text], mergeCount: 300);
        TrainedBpe second = BpeTrainer.Train([text], mergeCount: 300);

        Assert.Equal(300, first.Merges.Count);
        Assert.Equal(first.Merges, second.Merges);
        Assert.Equal(first.Vocabulary, second.Vocabulary);
    }

    [Fact]
    public void Train_ClassicExample_MergesMostFrequentPairFirstAndBreaksTiesBySmallerPair()
    {
        // "aaabdaaabac": (a,a) occurs 4 times; after it, (aa,a) and (a,b) both occur twice and "a" has the smaller id.
        TrainedBpe model = BpeTrainer.Train(["aaabdaaabac"], mergeCount: 2, minFrequency: 1);

        Assert.Equal([new BpeMerge("a", "a"), new BpeMerge("a", "b")], model.Merges);
        Assert.Equal("aa", model.Vocabulary[256]);
        Assert.Equal("ab", model.Vocabulary[257]);
    }

    [Fact]
    public void Train_EqualCounts_TakesLexicographicallySmallerPairOfIds()
    {
        // Every pair occurs once; ids follow GPT-2's byte order, where "a" < "b" < "c" < "d" < "Ġ".
        TrainedBpe model = BpeTrainer.Train(["cd ab"], mergeCount: 1, minFrequency: 1);

        Assert.Equal(new BpeMerge("a", "b"), model.Merges[0]);
    }

    [Fact]
    public void Train_PairsRunOut_StopsEarly()
    {
        TrainedBpe model = BpeTrainer.Train(["ab ab ab"], mergeCount: 100);

        // "ab" x1 and "Ġab" x2: a b (3), Ġ ab (2); afterwards nothing occurs twice.
        Assert.Equal([new BpeMerge("a", "b"), new BpeMerge("Ġ", "ab")], model.Merges);
        Assert.Equal(258, model.Vocabulary.Count);
    }

    [Fact]
    public void Train_Incremental_MatchesFullRecountReference()
    {
        string text = SyntheticCorpus.Generate(20_000, seed: 11) + " aaaa aaaaa bbbbbb abababab";

        TrainedBpe model = BpeTrainer.Train([text], mergeCount: 150);

        Assert.Equal(ReferenceTrain(text, 150), model.Merges);
    }

    [Fact]
    public void Train_Corpus_CompressesBelowByteCount()
    {
        string corpus = SyntheticCorpus.Generate(100_000, seed: 3);
        TrainedBpe model = BpeTrainer.Train([corpus], mergeCount: 500);
        using var file = new TempFile("tokenizer.json", TokenizerJsonWriter.ToJson(model, ["<|endoftext|>"]));
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.Load(file.Path);
        string heldOut = SyntheticCorpus.Generate(20_000, seed: 4);

        IReadOnlyList<int> ids = tokenizer.Encode(heldOut);

        int bytes = Encoding.UTF8.GetByteCount(heldOut);
        output.WriteLine($"{bytes} bytes -> {ids.Count} tokens ({(double)bytes / ids.Count:F2} bytes/token)");
        Assert.True(ids.Count < bytes / 2, $"{ids.Count} tokens for {bytes} bytes");
        Assert.Equal(heldOut, tokenizer.Decode(ids));
    }

    [Fact]
    public void Train_OneMegabyteTwoThousandMerges_TakesSeconds()
    {
        string corpus = SyntheticCorpus.Generate(1_000_000, seed: 5);
        var clock = Stopwatch.StartNew();

        TrainedBpe model = BpeTrainer.Train([corpus], mergeCount: 2000);

        clock.Stop();
        output.WriteLine($"{corpus.Length} chars, {model.Merges.Count} merges in {clock.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(2000, model.Merges.Count);

        // Generous: the target is a few seconds on one core; the bound only catches a per-merge full recount.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"training took {clock.Elapsed}");
    }

    [Fact]
    public void Train_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.Train(["x"], mergeCount: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.Train(["x"], mergeCount: 1, minFrequency: 0));
    }

    /// <summary>The textbook algorithm: recount every pair before every merge.</summary>
    private static List<BpeMerge> ReferenceTrain(string text, int mergeCount)
    {
        IReadOnlyList<string> symbols = TokenizerFixtures.ByteSymbols();
        var ids = symbols.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i);
        var vocabulary = new List<string>(symbols);
        var words = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match match in Regex.Matches(text, @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"))
        {
            words[match.Value] = words.GetValueOrDefault(match.Value) + 1;
        }

        var sequences = words.Select(w => (Symbols: Encoding.UTF8.GetBytes(w.Key).Select(b => ids[TokenizerFixtures.Symbol(b)]).ToList(), Count: w.Value)).ToList();
        var merges = new List<BpeMerge>();
        while (merges.Count < mergeCount)
        {
            var counts = new Dictionary<(int, int), long>();
            foreach ((List<int> sequence, long count) in sequences)
            {
                for (int i = 0; i + 1 < sequence.Count; i++)
                {
                    counts[(sequence[i], sequence[i + 1])] = counts.GetValueOrDefault((sequence[i], sequence[i + 1])) + count;
                }
            }

            if (counts.Count == 0)
            {
                break;
            }

            ((int left, int right), long best) = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key.Item1).ThenBy(c => c.Key.Item2).First();
            if (best < 2)
            {
                break;
            }

            int merged = vocabulary.Count;
            vocabulary.Add(vocabulary[left] + vocabulary[right]);
            merges.Add(new BpeMerge(vocabulary[left], vocabulary[right]));
            foreach ((List<int> sequence, _) in sequences)
            {
                for (int i = 0; i + 1 < sequence.Count; i++)
                {
                    if (sequence[i] == left && sequence[i + 1] == right)
                    {
                        sequence[i] = merged;
                        sequence.RemoveAt(i + 1);
                    }
                }
            }
        }

        return merges;
    }
}
