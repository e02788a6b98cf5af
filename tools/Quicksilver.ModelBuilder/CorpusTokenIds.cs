using Quicksilver.Engine.Tokenization;

namespace Quicksilver.ModelBuilder;

/// <summary>
/// The corpus as a trainer reads it: token ids as uint16 little-endian, every non-empty line a document followed by
/// <c>&lt;|endoftext|&gt;</c>, so a trainer can pack documents and still find their boundaries.
/// </summary>
internal static class CorpusTokenIds
{
    public static long Write(string path, HuggingFaceTokenizer tokenizer, IReadOnlyList<CorpusFile> corpus, int endOfText)
    {
        if (tokenizer.VocabSize > ushort.MaxValue + 1)
        {
            throw new InvalidOperationException($"A vocabulary of {tokenizer.VocabSize} ids does not fit uint16 token files.");
        }

        using var output = new BinaryWriter(new BufferedStream(File.Create(path)));
        long written = 0;
        void Put(int id)
        {
            output.Write((ushort)id); // BinaryWriter is little-endian on every platform
            written++;
        }

        foreach (CorpusFile file in corpus)
        {
            foreach (string line in file.Text.Split('\n'))
            {
                string document = line.TrimEnd('\r');
                if (document.Length == 0)
                {
                    continue;
                }

                foreach (int id in tokenizer.Encode(document))
                {
                    Put(id);
                }

                Put(endOfText);
            }
        }

        return written;
    }
}
