using System.Text;
using System.Text.Json;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Constraints;
using Quicksilver.Engine.Constraints.Json;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Constraints;

/// <summary>
/// <see cref="TokenConstraints"/> through the engine's step loop on a random 64-token model whose tokens write JSON's
/// punctuation, literals, a few words and pieces of Hermes' tool calls: every answer is a JSON object (a tool call), or,
/// when its budget ran out, the start of one; it ends with the token that closes it.
/// </summary>
public sealed class DiffusionEngineConstraintTests
{
    private static readonly string[] Texts =
    [
        "{", "}", "[", "]", ":", ",", "\"", " ", "\n", "0", "1", "2", "7", "-", ".", "e", "a", "b", "c", "x", "true",
        "false", "null", "\"a\"", "\"b\":", "{}", "}}", "\\", "u", "9", "\"key\": 1", "\"", "ab", "  ", "[1,", "\"v\"}",
        "E", "+", "t", "r", "n", "f", "l", "s", "<tool_call>", "\":", ", \"", "</tool_call>", "w", "get_weather", "\"name\": \"",
        "\", \"arguments\": ", "d", "g", "h", "j", "k",
        "m", "p", "v", "\t", "]}",
    ];

    private static readonly TokenTexts Vocabulary = new([.. Texts.Select(text => (byte[]?)Encoding.ASCII.GetBytes(text)), null, null]);

    private static readonly GenerationRequest Request = new()
    {
        PromptTokens = [16, 17, 18, 7],
        MaxTokens = 48,
        BlockLength = 16,
        Steps = 24,
        Constraint = TokenConstraints.Json(Vocabulary, JsonGrammar.AnyObject),
    };

    [Theory]
    [InlineData(KvCacheMode.None, 0f)]
    [InlineData(KvCacheMode.Dual, 0f)]
    [InlineData(KvCacheMode.None, 1f)]
    [InlineData(KvCacheMode.Prefix, 1.5f)]
    public async Task EveryAnswer_IsAnObjectEndingWhereItCloses_OrTheStartOfOneWhenItsBudgetRanOut(KvCacheMode cache, float temperature)
    {
        using var test = new TestEngine(new EngineOptions());
        int closed = 0;
        for (ulong seed = 0; seed < 8; seed++)
        {
            (int[] tokens, FinishReason? finish, _) = await Answer(test, Request with { KvCache = cache, Temperature = temperature, Seed = seed });
            byte[] text = TextOf(tokens);

            var cursor = JsonCursor.AnyObject;
            Assert.True(cursor.Step(text), $"not the start of an object: {Encoding.ASCII.GetString(text)}");
            Assert.Equal(cursor.IsComplete ? FinishReason.Stop : FinishReason.Length, finish);
            if (cursor.IsComplete)
            {
                Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(text).RootElement.ValueKind);
                closed++;
            }
            else
            {
                Assert.Equal(Request.MaxTokens, tokens.Length);
            }
        }

        Assert.True(closed > 0, "no answer closed its object: the test checked only prefixes");
    }

    [Fact]
    public async Task BiasTowardsTheBraces_AnswersExactlyAnEmptyObject_InOneStepOfTwoCommits()
    {
        using var test = new TestEngine(new EngineOptions());
        GenerationRequest request = Request with { LogitBias = [new TokenBias(0, 100), new TokenBias(1, 100)] };

        (int[] tokens, FinishReason? finish, int steps) = await Answer(test, request);
        (int[] free, _, _) = await Answer(test, request with { Constraint = null });

        Assert.Equal([0, 1], tokens);
        Assert.Equal(FinishReason.Stop, finish);
        Assert.Equal(1, steps); // 24 steps for 48 tokens commit two a step: both braces, the second checked after the first
        Assert.Equal(48, free.Length);
        Assert.NotEqual([0, 1], free.Take(2));
    }

    [Fact]
    public async Task ConstrainedAndFreeAnswersInOneBatch_TheFreeOneIsTheSameAsAlone()
    {
        using var test = new TestEngine(new EngineOptions());
        GenerationRequest free = Request with { Constraint = null, Seed = 3, Temperature = 1 };
        (int[] alone, _, _) = await Answer(test, free);

        IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> together = test.Engine.GenerateTogether(
            [(Request with { Seed = 4 }, CancellationToken.None), (free, CancellationToken.None), (Request with { Seed = 5, Temperature = 1 }, CancellationToken.None)]);
        int[][] answers = await Task.WhenAll(together.Select(async updates => (await Collect(updates)).Tokens));

        Assert.Equal(alone, answers[1]);
        Assert.All(new[] { answers[0], answers[2] }, tokens =>
        {
            var cursor = JsonCursor.AnyObject;
            Assert.True(cursor.Step(TextOf(tokens)));
        });
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1f)]
    public async Task ForcedToolCall_EveryAnswerIsACallOfAnOfferedName_OrTheStartOfOne(float temperature)
    {
        using var test = new TestEngine(new EngineOptions());
        string[] names = ["get_weather", "get"];
        int closed = 0;
        for (ulong seed = 0; seed < 8; seed++)
        {
            GenerationRequest request = Request with { Constraint = TokenConstraints.ToolCall(Vocabulary, names), Temperature = temperature, Seed = seed, MaxTokens = 64 };
            (int[] tokens, FinishReason? finish, _) = await Answer(test, request);
            string text = Encoding.ASCII.GetString(TextOf(tokens));

            var cursor = new ToolCallCursor(names);
            Assert.True(cursor.Step(TextOf(tokens)), $"not the start of a call: {text}");
            Assert.Equal(cursor.IsComplete ? FinishReason.Stop : FinishReason.Length, finish);
            if (cursor.IsComplete)
            {
                using JsonDocument call = JsonDocument.Parse(text["<tool_call>\n".Length..^"\n</tool_call>".Length]);
                Assert.Contains(call.RootElement.GetProperty("name").GetString(), names);
                Assert.Equal(JsonValueKind.Object, call.RootElement.GetProperty("arguments").ValueKind);
                closed++;
            }
        }

        Assert.True(closed > 0, "no answer closed its call: the test checked only prefixes");
    }

    [Fact]
    public async Task TopLogprobsAndPenalties_WithAConstraint_EveryKeptTokenHasItsAlternatives()
    {
        using var test = new TestEngine(new EngineOptions());
        GenerationRequest request = Request with { TopLogprobs = 3, PresencePenalty = 0.5, FrequencyPenalty = 0.5, Temperature = 1f, Seed = 9 };

        var tokens = new List<int>();
        await foreach (GenerationUpdate update in test.Engine.Generate(request))
        {
            Assert.Equal(update.Tokens.Count, update.TopLogprobs.Count);
            Assert.Equal(update.Tokens.Count, update.LogProbabilities.Count);
            Assert.All(update.TopLogprobs, alternatives => Assert.Equal(3, alternatives.Count));
            tokens.AddRange(update.Tokens);
        }

        var cursor = JsonCursor.AnyObject;
        Assert.True(cursor.Step(TextOf(tokens)));
    }

    [Fact]
    public async Task ModelVocabularyBeyondTheTokenizers_PaddingIdsAreBanned_AndATableThatStopsShortIsRefused()
    {
        using var test = new TestEngine(new EngineOptions());
        byte[]?[] tokenizerTexts = [.. Texts.Take(40).Select(text => (byte[]?)Encoding.ASCII.GetBytes(text))];
        var padded = new TokenTexts(tokenizerTexts.Concat(Enumerable.Repeat<byte[]?>(null, 24)));

        foreach (ulong seed in new ulong[] { 1, 2, 3, 4 })
        {
            (int[] tokens, _, _) = await Answer(test, Request with { Constraint = TokenConstraints.Json(padded, JsonGrammar.AnyObject), Temperature = 2f, Seed = seed });
            Assert.All(tokens, token => Assert.InRange(token, 0, 39));
        }

        await Assert.ThrowsAsync<InvalidRequestException>(() => Answer(test, Request with { Constraint = TokenConstraints.Json(new TokenTexts(tokenizerTexts), JsonGrammar.AnyObject) }));
    }

    [Fact]
    public async Task ConstrainedBlockThatFellBehind_CatchesUpWithinItsPlannedSteps()
    {
        using var test = new TestEngine(new EngineOptions());

        // 48 tokens in 24 steps: two a step. The first step's second token is refused, so that block is one behind.
        (int[] tokens, FinishReason? finish, int steps) = await Answer(test, Request with { Constraint = new RefusesOnceConstraint(2) });

        Assert.Equal((48, FinishReason.Length, 24), (tokens.Length, finish, steps));
    }

    [Fact]
    public async Task ConstraintThatRefusesWhatItDidNotBan_FailsItsSequenceOnly_TheOthersFinish()
    {
        using var test = new TestEngine(new EngineOptions());
        GenerationRequest free = Request with { Constraint = null, Seed = 3 };
        (int[] alone, _, _) = await Answer(test, free);

        IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> together = test.Engine.GenerateTogether(
            [(Request with { Constraint = new RefusingConstraint() }, CancellationToken.None), (free, CancellationToken.None)]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Collect(together[0]));
        Assert.Equal(alone, (await Collect(together[1])).Tokens);
        Assert.Equal(alone, (await Answer(test, free)).Tokens); // the engine still serves
    }

    private static byte[] TextOf(IEnumerable<int> tokens) => [.. tokens.SelectMany(token => Vocabulary[token]!)];

    private static async Task<(int[] Tokens, FinishReason? Finish, int Steps)> Answer(TestEngine test, GenerationRequest request) =>
        await Collect(test.Engine.Generate(request));

    private static async Task<(int[] Tokens, FinishReason? Finish, int Steps)> Collect(IAsyncEnumerable<GenerationUpdate> updates)
    {
        var tokens = new List<int>();
        FinishReason? finish = null;
        int steps = 0;
        await foreach (GenerationUpdate update in updates)
        {
            tokens.AddRange(update.Tokens);
            finish ??= update.Finish;
            steps = update.Steps;
            Assert.False(update.EndedAtEndToken);
        }

        return ([.. tokens], finish, steps);
    }

    /// <summary>A defective constraint: it bans nothing and refuses every token.</summary>
    private sealed class RefusingConstraint : ITokenConstraint, ITokenConstraintState
    {
        public int VocabularySize => 64;

        public bool IsComplete => false;

        public ITokenConstraintState Start() => this;

        public IReadOnlyList<int> Banned() => [];

        public bool TryAppend(int token) => false;
    }

    /// <summary>Bans nothing, takes every token but the one offered at its <c>refused</c>-th call, and is never complete.</summary>
    private sealed class RefusesOnceConstraint(int refused) : ITokenConstraint
    {
        public int VocabularySize => 64;

        public ITokenConstraintState Start() => new State(refused);

        private sealed class State(int refused) : ITokenConstraintState
        {
            private int _calls;

            public bool IsComplete => false;

            public IReadOnlyList<int> Banned() => [];

            public bool TryAppend(int token) => ++_calls != refused;
        }
    }
}
