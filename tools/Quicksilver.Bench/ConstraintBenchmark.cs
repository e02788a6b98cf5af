using System.Globalization;
using System.Text;
using Quicksilver.Engine;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;
using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine.Constraints;
using Quicksilver.Engine.Constraints.Json;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Bench;

/// <summary>
/// The host's work for a constrained answer (<c>response_format: json_object</c>, a forced tool call): the tokens each
/// state of the answer bans (scanned once per state, memoised as a sequence does) made into a checked bias, at a vocabulary of Dream's size (151,936: the model's real
/// tokens, then pairs of them drawn at random), against the CPU epilogue of one block of 32 logit rows at that
/// vocabulary, the work every step does anyway. Alternated in one process; medians of <see cref="Rounds"/>.
/// </summary>
internal static class ConstraintBenchmark
{
    private const int Vocab = 151_936, Rows = 32, Rounds = 9;

    // The answer's shape as a strict schema: the same answer is scanned under it.
    private const string Schema = """
        {"type": "object", "additionalProperties": false, "required": ["name", "chapters", "verse", "canonical"], "properties": {
          "name": {"type": "string"}, "chapters": {"type": "array", "items": {"type": "integer"}},
          "verse": {"type": "object", "additionalProperties": false, "required": ["text", "number"],
                    "properties": {"text": {"type": "string"}, "number": {"type": "integer"}}},
          "canonical": {"type": "boolean"}}}
        """;

    private const string Answer = "{\"name\": \"Genesis\", \"chapters\": [1, 2, 3], \"verse\": {\"text\": \"In the beginning God created the heaven and the earth.\", \"number\": 1}, \"canonical\": true}";

    public static string Run(string model, int threads)
    {
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.Load(Path.Combine(model, "tokenizer.json"));
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        TokenTexts own = TokenTexts.Of(tokenizer, tokenizer.VocabSize);
        double decodeMs = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var random = new Random(3);
        byte[][] words = [.. Enumerable.Range(0, own.Count).Select(id => own[id]).OfType<byte[]>()];
        TokenTexts texts = new(Enumerable.Range(0, Vocab).Select(id => id < own.Count ? own[id] : [.. words[random.Next(words.Length)], .. words[random.Next(words.Length)]]));
        IReadOnlyList<int> answer = tokenizer.Encode(Answer);
        ITokenConstraint json = TokenConstraints.Json(texts, JsonGrammar.AnyObject);
        using System.Text.Json.JsonDocument answerSchema = System.Text.Json.JsonDocument.Parse(Schema);
        ITokenConstraint schema = TokenConstraints.Json(texts, JsonGrammar.FromSchema(answerSchema.RootElement));

        using var backend = new CpuBackend(new CpuBackendOptions { Threads = threads });
        float[] logits = [.. Enumerable.Range(0, Rows * Vocab).Select(_ => (float)(random.NextDouble() * 16) - 8)];
        using IDeviceBuffer buffer = backend.Allocate(Rows, Vocab, BufferKind.Logits);
        backend.Upload(logits, buffer);
        RowSampling[] sampling = [.. Enumerable.Range(0, Rows).Select(r => new RowSampling(0f, 7, (ulong)r))];
        var scores = new TokenScore[Rows];

        int states = 0, banned = 0;
        void ScanAnswer(ITokenConstraint constraint)
        {
            ITokenConstraintState state = constraint.Start();
            (states, banned) = (0, 0);
            foreach (int token in answer)
            {
                // What a constrained step adds on the host: the bans, as the step's first-row bias, checked as
                // every backend checks a bias before adding it.
                TokenBias[] bias = [.. state.Banned().Select(id => new TokenBias(id, TokenBias.Ban))];
                LogitBiasRows.Check(Rows, Vocab, [new LogitBiasRows(0, 1, 0, bias.Length)], bias);
                banned += bias.Length;
                states++;
                if (!state.TryAppend(token))
                {
                    throw new InvalidOperationException($"The constraint refuses the benchmark's answer at token {states}.");
                }
            }
        }

        void Epilogue() => backend.ScoreLogits(buffer, sampling, -1, scores);
        (double schemaScan, double schemaPeer) = Timing.AlternateMedians(Rounds, () => ScanAnswer(schema), Epilogue);
        int schemaBanned = banned;
        (double scan, double score) = Timing.AlternateMedians(Rounds, () => ScanAnswer(json), Epilogue);

        ITokenConstraintState memoised = json.Start();
        double repeat = Timing.MedianMilliseconds(Rounds, () => memoised.Banned());

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Constrained decoding's host work: banned tokens per state, vocabulary {Vocab:N0}, {threads} threads");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"A {Answer.Length}-character JSON answer, {states} tokens of `{Path.GetFileName(model)}`'s tokenizer: at each token's state the banned tokens (a state seen before in the sequence comes from its memo), made into the step's first-row bias and checked; {banned / Math.Max(1, states):N0} tokens banned per state on average.");
        text.AppendLine();
        text.AppendLine("| work | ms | per state (ms) | vs epilogue of 32 rows |");
        text.AppendLine("|---|---:|---:|---:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| banned tokens and their bias at every state of the answer (fresh sequence) | {scan:F2} | {scan / states:F3} | {scan / states / score:F2}× per state |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| the same under a json_schema of the answer's shape ({schemaBanned / Math.Max(1, states):N0} banned per state) | {schemaScan:F2} | {schemaScan / states:F3} | {schemaScan / states / schemaPeer:F2}× per state (its own peer run: {schemaPeer:F2} ms) |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| the same state again (memoised) | {repeat:F4} | {repeat:F4} | {repeat / score:F4}× |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| peer: CPU epilogue (ScoreLogits), 32 rows, greedy | {score:F2} | | 1× |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Decoding `{Path.GetFileName(model)}`'s {own.Count:N0} token texts once (TokenTexts.Of, first constrained request): {decodeMs:F1} ms.");
        text.AppendLine();
        text.Append(WholeAnswers(model, threads, TokenConstraints.Json(own, JsonGrammar.AnyObject), tokenizer));
        return text.ToString();
    }

    /// <summary>
    /// Whole answers on the model itself (its vocabulary, its end token absent as everywhere in these benchmarks):
    /// free against <c>json_object</c>, same random prompts, greedy, 64 tokens in blocks of 32 at one token per step,
    /// 1 and 8 at once, each pair run alternately.
    /// </summary>
    private static string WholeAnswers(string folder, int threads, ITokenConstraint json, HuggingFaceTokenizer tokenizer)
    {
        using var model = new BenchModel(folder, threads);
        using var engine = new DiffusionEngine(model.Transformer, new EngineOptions(), new HashSet<int>(), NullLogger<DiffusionEngine>.Instance);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### Whole answers on `{model.Name}` ({model.Shape}): free against json_object, 64 tokens, greedy");
        text.AppendLine();
        text.AppendLine("| concurrent | free: s, tokens, steps | json_object: s, tokens, steps | ms per answer token, free / json_object | closed objects |");
        text.AppendLine("|---:|---|---|---:|---:|");
        string example = "";
        foreach (int n in new[] { 1, 8 })
        {
            GenerationRequest Free(int i) => BenchGeneration.Request(model.Config.VocabSize, i, prompt: 16, maxTokens: 64);
            var free = new List<double>();
            var constrained = new List<double>();
            BenchGeneration.Answer[] freeAnswers = [], jsonAnswers = [];
            for (int round = 0; round < 3; round++)
            {
                (freeAnswers, double a) = BenchGeneration.RunConcurrent(engine, n, Free);
                (jsonAnswers, double b) = BenchGeneration.RunConcurrent(engine, n, i => Free(i) with { Constraint = json });
                free.Add(a);
                constrained.Add(b);
            }

            double freeSeconds = free.Order().ElementAt(1), jsonSeconds = constrained.Order().ElementAt(1);
            int closed = jsonAnswers.Count(answer => answer.Tokens.Count < 64);
            int freeTokens = freeAnswers.Sum(x => x.Tokens.Count), jsonTokens = jsonAnswers.Sum(x => x.Tokens.Count);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {n} | {freeSeconds:F2}, {freeTokens}, {freeAnswers.Sum(x => x.Steps)} | {jsonSeconds:F2}, {jsonTokens}, {jsonAnswers.Sum(x => x.Steps)} | {freeSeconds * 1000 / freeTokens:F1} / {jsonSeconds * 1000 / jsonTokens:F1} | {closed} of {n} |");
            example = tokenizer.Decode(jsonAnswers[0].Tokens);
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"The first constrained answer of the last row: `{example.Replace("\n", "\\n", StringComparison.Ordinal)}`");
        return text.ToString();
    }
}
