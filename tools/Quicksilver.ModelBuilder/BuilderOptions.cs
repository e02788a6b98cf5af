using System.Globalization;
using Quicksilver.Engine.Models;

namespace Quicksilver.ModelBuilder;

/// <summary>Command-line options of the model builder; defaults make <c>models/quicksilver-tiny</c>.</summary>
internal sealed record BuilderOptions
{
    /// <summary>The corpus used when no <c>--corpus</c> is given: two licence texts every Debian system carries.</summary>
    public static readonly IReadOnlyList<string> DefaultCorpus = ["/usr/share/common-licenses/GPL-3", "/usr/share/common-licenses/Apache-2.0"];

    public const string Usage = """
        Writes a deterministic LLaDA-, Dream-, SDAR- or Fast-dLLM-v2-format model folder (random weights, trained
        byte-level BPE tokenizer).

        usage: dotnet run --project tools/Quicksilver.ModelBuilder -- --output DIR [options]

          --output DIR        folder to write (created if missing; files in it are overwritten)
          --architecture A    llada (default); dream: Dream's Qwen2-style config.json and tensor names, q/k/v
                              biases, RoPE θ 1e6, RMSNorm ε 1e-6; sdar: SDAR's Qwen3-style config (block_size 4),
                              q/k norms, head tied to the embedding; fast-dllm-v2: Fast-dLLM v2's Qwen2.5-style
                              config (bd_size 32), q/k/v biases (the tokenizer is the same for all)
          --seed N            weight initialisation seed (default 1234)
          --corpus FILE...    tokenizer training text (default: GPL-3 and Apache-2.0 from /usr/share/common-licenses)
          --merges N          BPE merges to learn (default 1700)
          --vocab-size N      vocabulary incl. special and reserved tokens, a multiple of 64 (default 2048)
          --d-model N         residual width (default 128)
          --layers N          transformer blocks (default 4)
          --heads N           attention heads (default 4)
          --kv-heads N        key/value heads (default 4)
          --mlp N             MLP hidden width (default 384)
          --max-seq N         max_sequence_length (default 1024)
          --token-ids FILE    also write the corpus as token ids for a trainer: uint16 little-endian, each
                              non-empty line of each corpus file followed by <|endoftext|>
          --help              show this text
        """;

    public string OutputDirectory { get; init; } = string.Empty;

    public ModelArchitecture Architecture { get; init; } = ModelArchitecture.LLaDA;

    public ulong Seed { get; init; } = 1234;

    public IReadOnlyList<string> Corpus { get; init; } = DefaultCorpus;

    public int Merges { get; init; } = 1700;

    public int VocabSize { get; init; } = 2048;

    public int DModel { get; init; } = 128;

    public int Layers { get; init; } = 4;

    public int Heads { get; init; } = 4;

    public int KvHeads { get; init; } = 4;

    public int MlpHidden { get; init; } = 384;

    public int MaxSequenceLength { get; init; } = 1024;

    public string? TokenIdsFile { get; init; }

    public bool ShowHelp { get; init; }

    public int HeadDim => DModel / Heads;

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static BuilderOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BuilderOptions();
        var corpus = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string flag = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new ArgumentException($"{flag} needs a value.");

            options = flag switch
            {
                "--output" => options with { OutputDirectory = Value() },
                "--architecture" => options with { Architecture = BuiltFamily.Parse(Value()).Architecture },
                "--seed" => options with { Seed = ParseSeed(Value()) },
                "--merges" => options with { Merges = PositiveInt(flag, Value()) },
                "--vocab-size" => options with { VocabSize = PositiveInt(flag, Value()) },
                "--d-model" => options with { DModel = PositiveInt(flag, Value()) },
                "--layers" => options with { Layers = PositiveInt(flag, Value()) },
                "--heads" => options with { Heads = PositiveInt(flag, Value()) },
                "--kv-heads" => options with { KvHeads = PositiveInt(flag, Value()) },
                "--mlp" => options with { MlpHidden = PositiveInt(flag, Value()) },
                "--max-seq" => options with { MaxSequenceLength = PositiveInt(flag, Value()) },
                "--token-ids" => options with { TokenIdsFile = Value() },
                "--help" or "-h" => options with { ShowHelp = true },
                "--corpus" => options,
                _ => throw new ArgumentException($"Unknown argument '{flag}'."),
            };

            if (flag == "--corpus")
            {
                corpus.Add(Value());
                while (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    corpus.Add(args[++i]);
                }
            }
        }

        if (corpus.Count > 0)
        {
            options = options with { Corpus = corpus };
        }

        if (!options.ShowHelp)
        {
            options.Validate();
        }

        return options;
    }

    /// <summary>The arguments that reproduce these options, with the output shown as <c>models/&lt;folder name&gt;</c>.</summary>
    public string CommandLine()
    {
        var parts = new List<string>
        {
            "dotnet run --project tools/Quicksilver.ModelBuilder --",
            "--output models/" + Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(OutputDirectory))),
            "--seed " + Seed.ToString(CultureInfo.InvariantCulture),
        };
        var defaults = new BuilderOptions();
        if (Architecture != defaults.Architecture)
        {
            parts.Add("--architecture " + BuiltFamily.Of(Architecture).OptionName);
        }

        void AddIfChanged(string flag, int value, int fallback)
        {
            if (value != fallback)
            {
                parts.Add($"{flag} {value.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        AddIfChanged("--merges", Merges, defaults.Merges);
        AddIfChanged("--vocab-size", VocabSize, defaults.VocabSize);
        AddIfChanged("--d-model", DModel, defaults.DModel);
        AddIfChanged("--layers", Layers, defaults.Layers);
        AddIfChanged("--heads", Heads, defaults.Heads);
        AddIfChanged("--kv-heads", KvHeads, defaults.KvHeads);
        AddIfChanged("--mlp", MlpHidden, defaults.MlpHidden);
        AddIfChanged("--max-seq", MaxSequenceLength, defaults.MaxSequenceLength);
        if (!Corpus.SequenceEqual(DefaultCorpus))
        {
            parts.Add("--corpus " + string.Join(' ', Corpus));
        }

        return string.Join(' ', parts);
    }

    private void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputDirectory))
        {
            throw new ArgumentException("--output is required.");
        }

        if (DModel % Heads != 0)
        {
            throw new ArgumentException($"--d-model {DModel} is not a multiple of --heads {Heads}.");
        }

        if (Heads % KvHeads != 0)
        {
            throw new ArgumentException($"--heads {Heads} is not a multiple of --kv-heads {KvHeads}.");
        }

        if (HeadDim % 2 != 0)
        {
            throw new ArgumentException($"The head width {HeadDim} must be even for RoPE.");
        }

        if (VocabSize % 64 != 0)
        {
            throw new ArgumentException($"--vocab-size {VocabSize} is not a multiple of 64.");
        }

        int needed = 256 + Merges + TinyModelTokens.Named.Count;
        if (VocabSize < needed)
        {
            throw new ArgumentException($"--vocab-size {VocabSize} cannot hold 256 bytes + {Merges} merges + {TinyModelTokens.Named.Count} special tokens ({needed}).");
        }
    }

    private static ulong ParseSeed(string value) =>
        ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong parsed)
            ? parsed
            : throw new ArgumentException($"--seed needs a non-negative integer, not '{value}'.");

    private static int PositiveInt(string flag, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed > 0
            ? parsed
            : throw new ArgumentException($"{flag} needs a positive integer, not '{value}'.");
}
