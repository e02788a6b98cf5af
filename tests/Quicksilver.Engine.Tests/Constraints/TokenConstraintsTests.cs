using Quicksilver.Engine.Constraints;
using Quicksilver.Engine.Constraints.Json;
using Quicksilver.Engine.Tests.TestModels;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Tests.Constraints;

/// <summary>
/// The constraints over the embedded model's real vocabulary (4,224 byte-level BPE tokens): at every state along an
/// answer, the banned tokens are exactly those the state refuses one by one, and a refused token changes nothing.
/// </summary>
public sealed class TokenConstraintsTests
{
    private static readonly HuggingFaceTokenizer Tokenizer = HuggingFaceTokenizer.Load(Path.Combine(RepositoryFolders.TinyModel, "tokenizer.json"));

    public static TheoryData<string, string> Answers => new()
    {
        { "json", "{\"a\": [1, true, null], \"b\": {\"c\": \"x y\\n\"}, \"d\": -2.5e3}" },
        { "tool", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void AtEveryStateOfAnAnswer_BannedIsWhatTheStateRefusesTokenByToken(string kind, string answer)
    {
        ITokenConstraint constraint = kind == "json"
            ? TokenConstraints.Json(TokenTexts.Of(Tokenizer, Tokenizer.VocabSize), JsonGrammar.AnyObject)
            : TokenConstraints.ToolCall(TokenTexts.Of(Tokenizer, Tokenizer.VocabSize), ["get_weather", "get"]);
        IReadOnlyList<int> tokens = Tokenizer.Encode(answer);
        ITokenConstraintState state = constraint.Start();

        for (int i = 0; i < tokens.Count; i++)
        {
            int[] refused = [.. Enumerable.Range(0, Tokenizer.VocabSize).Where(id => !Replayed(constraint, tokens, i).TryAppend(id))];
            Assert.Equal(refused, state.Banned().Order());
            Assert.DoesNotContain(tokens[i], state.Banned());
            Assert.False(state.TryAppend(refused[0]));
            Assert.False(state.IsComplete);
            Assert.True(state.TryAppend(tokens[i]));
        }

        Assert.True(state.IsComplete);
    }

    private static ITokenConstraintState Replayed(ITokenConstraint constraint, IReadOnlyList<int> tokens, int count)
    {
        ITokenConstraintState state = constraint.Start();
        for (int i = 0; i < count; i++)
        {
            Assert.True(state.TryAppend(tokens[i]));
        }

        return state;
    }
}
