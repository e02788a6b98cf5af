using System.Security.Cryptography;
using System.Text;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.ModelBuilder;

/// <summary>Writes the model folder: tokenizer, configs, weights and model card. Same options, same bytes.</summary>
internal static class ModelFolderBuilder
{
    public static void Build(BuilderOptions options, TextWriter log)
    {
        List<CorpusFile> corpus = ReadCorpus(options.Corpus);
        log.WriteLine($"corpus: {corpus.Count} files, {corpus.Sum(c => Encoding.UTF8.GetByteCount(c.Text))} bytes");

        TrainedBpe bpe = BpeTrainer.Train(corpus.Select(c => c.Text), options.Merges);
        if (bpe.Merges.Count < options.Merges)
        {
            log.WriteLine($"note: the corpus supports only {bpe.Merges.Count} merges (pairs occurring at least twice)");
        }

        var specialTokens = new List<string>(TinyModelTokens.Named);
        int reserved = options.VocabSize - bpe.Vocabulary.Count - specialTokens.Count;
        for (int i = 0; i < reserved; i++)
        {
            specialTokens.Add(TinyModelTokens.Reserved(i));
        }

        var ids = SpecialTokenIds.From(bpe.Vocabulary.Count);
        Directory.CreateDirectory(options.OutputDirectory);
        string PathOf(string name) => Path.Combine(options.OutputDirectory, name);

        TokenizerJsonWriter.Write(PathOf("tokenizer.json"), bpe, specialTokens);
        ModelJsonFiles.WriteTokenizerConfig(PathOf(TokenizerConfigReader.FileName), options);
        ModelConfig config = BuiltModelConfig.From(options, ids);
        ModelJsonFiles.WriteConfig(PathOf("config.json"), config, ids);
        ModelJsonFiles.WriteGenerationConfig(PathOf("generation_config.json"), config, ids);

        IReadOnlyList<SafetensorsWriter.Entry> weights = RandomWeights.Create(config, options.Seed);
        SafetensorsWriter.Write(PathOf("model.safetensors"), weights, new Dictionary<string, string> { ["format"] = "pt" });
        long parameters = weights.Sum(w => w.Shape.Aggregate(1L, (a, b) => a * b));

        // Check what was written the way the engine will read it.
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.Load(PathOf("tokenizer.json"));
        if (tokenizer.VocabSize != options.VocabSize || tokenizer.TokenToId(TinyModelTokens.Mask) != ids.Mask)
        {
            throw new InvalidOperationException("The written tokenizer does not have the planned ids.");
        }

        ModelConfig read = ModelConfigReader.Read(PathOf("config.json"));
        if (read with { EosTokenIds = config.EosTokenIds } != config || !read.EosTokenIds.SequenceEqual(config.EosTokenIds))
        {
            throw new InvalidOperationException("The written config.json does not read back as the planned configuration.");
        }

        if (options.TokenIdsFile is { } tokenIdsFile)
        {
            long count = CorpusTokenIds.Write(tokenIdsFile, tokenizer, corpus, ids.EndOfText);
            log.WriteLine($"token ids: {count} written to {tokenIdsFile}");
        }

        const string demo = "The quick brown fox";
        int demoTokens = tokenizer.Encode(demo).Count;
        var card = new ModelCard(options, corpus, bpe.Merges.Count, reserved, ids, parameters, demo, demoTokens,
            CompressionOf(tokenizer, corpus));
        File.WriteAllText(PathOf("README.md"), card.Render(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

        log.WriteLine($"merges {bpe.Merges.Count}, vocab {options.VocabSize} (base {bpe.Vocabulary.Count}, special {TinyModelTokens.Named.Count}, reserved {reserved})");
        log.WriteLine($"ids: eos {ids.EndOfText}, bos {ids.StartOfText}, mask {ids.Mask}, start_header {ids.StartHeader}, end_header {ids.EndHeader}, eot {ids.EndOfTurn}");
        log.WriteLine($"parameters {parameters}");
        foreach (string file in Directory.GetFiles(options.OutputDirectory).Order(StringComparer.Ordinal))
        {
            log.WriteLine($"{Sha256(File.ReadAllBytes(file))}  {new FileInfo(file).Length,9}  {Path.GetFileName(file)}");
        }
    }

    private static List<CorpusFile> ReadCorpus(IReadOnlyList<string> paths)
    {
        var files = new List<CorpusFile>();
        foreach (string path in paths)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"Corpus file '{path}' does not exist.", path);
            }

            byte[] bytes = File.ReadAllBytes(path);
            files.Add(new CorpusFile(path, Encoding.UTF8.GetString(bytes), Sha256(bytes)));
        }

        return files;
    }

    private static double CompressionOf(HuggingFaceTokenizer tokenizer, IReadOnlyList<CorpusFile> corpus)
    {
        long bytes = corpus.Sum(c => (long)Encoding.UTF8.GetByteCount(c.Text));
        long tokens = corpus.Sum(c => (long)tokenizer.Encode(c.Text).Count);
        return (double)bytes / tokens;
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
