using System.Text;
using System.Text.Json;
using Quicksilver.Engine.Constraints;
using Quicksilver.Engine.Constraints.Json;

namespace Quicksilver.Engine.Tests.Constraints;

/// <summary>
/// <see cref="JsonCursor"/> against System.Text.Json's reader as the oracle: a text is a valid prefix of a JSON object
/// exactly when it starts with the object's brace, a reader told more may follow reads it without error, and nothing
/// follows the object's close.
/// </summary>
public sealed class JsonCursorTests
{
    [Theory]
    [InlineData("{}")]
    [InlineData("{\n}")]
    [InlineData("""{"a":1,"b":[true,false,null,-0.5e+10,0,12.25E-3],"c":{"d":"x\"\\\/\b\f\n\r\t\u00e9"}}""")]
    [InlineData("""{ "nested" : [ [ [ ] ] , { } ] , "s" : "é 漢字" }""")]
    public void ValidObject_IsAcceptedAndCompleteOnlyAtItsLastByte(string json)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        var cursor = JsonCursor.AnyObject;

        Assert.True(cursor.Step(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.False(cursor.IsComplete);
        Assert.True(cursor.Step(bytes[^1]));
        Assert.True(cursor.IsComplete);
        Assert.False(cursor.Step((byte)' '));
    }

    [Theory]
    [InlineData("[]", 0)]
    [InlineData(" {}", 0)]
    [InlineData("\"a\"", 0)]
    [InlineData("{\"a\":01}", 6)]
    [InlineData("{\"a\":1.}", 7)]
    [InlineData("{\"a\":-}", 6)]
    [InlineData("{\"a\":tru}", 8)]
    [InlineData("{\"a\" 1}", 5)]
    [InlineData("{a:1}", 1)]
    [InlineData("{\"a\":1,}", 7)]
    [InlineData("{\"a\":[1,]}", 8)]
    [InlineData("{\"a\":\"\\x\"}", 7)]
    [InlineData("{\"a\":\"\\u12g4\"}", 10)]
    [InlineData("{\"a\":\"\n\"}", 6)]
    [InlineData("{\"a\":1]", 6)]
    [InlineData("{ \n}", 2)]
    [InlineData("{\"a\":  1}", 6)]
    public void InvalidText_IsRefusedAtItsFirstImpossibleByte(string json, int refusedAt)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        var cursor = JsonCursor.AnyObject;

        Assert.True(cursor.Step(bytes.AsSpan(0, refusedAt)));
        Assert.False(cursor.Step(bytes[refusedAt]));
    }

    [Fact]
    public void DepthAndWhitespaceRuns_AreLimited()
    {
        var deep = JsonCursor.AnyObject;
        Assert.True(deep.Step(Encoding.ASCII.GetBytes("{\"a\":" + new string('[', JsonCursor.MaxDepth - 1))));
        Assert.False(deep.Step((byte)'['));

        var spaced = JsonCursor.AnyObject;
        Assert.True(spaced.Step(Encoding.ASCII.GetBytes("{" + new string(' ', JsonCursor.MaxWhitespaceRun) + "\"" + new string(' ', 100) + "\"")));
        Assert.True(spaced.Step(Encoding.ASCII.GetBytes(new string(' ', JsonCursor.MaxWhitespaceRun))));
        Assert.False(spaced.Step((byte)' '));
    }

    [Fact]
    public void RandomAndMutatedTexts_AreAcceptedExactlyWhenTheReaderSaysTheyBeginAnObject()
    {
        const string alphabet = "{}[]:,\" \n\\/u0123456789abefnrtlsE+-.xg";
        string[] objects =
        [
            """{"a":1,"b":[true,false,null,-0.5e+10,0,12.25E-3],"c":{"d":"x\"\\\/\b\f\n\r\t\u00e9"}}""",
            """{ "nested" : [ [ [ ] ] , { } ] , "s" : "t" , "n" : -12.5 }""",
            "{\n\"list\": [1, 2.0, 3e3],\n\"ok\": true\n}",
        ];
        var random = new Random(7);
        int accepted = 0, complete = 0;
        for (int i = 0; i < 60_000; i++)
        {
            var text = new StringBuilder();
            if (i % 3 == 0)
            {
                // Random characters, half of them after an opening brace.
                text.Append(i % 2 == 0 ? "{" : "");
                int length = random.Next(1, 24);
                while (text.Length < length)
                {
                    text.Append(alphabet[random.Next(alphabet.Length)]);
                }
            }
            else
            {
                // A valid object cut anywhere, with one character replaced or inserted (or, for a third, none).
                string source = objects[random.Next(objects.Length)];
                text.Append(source, 0, random.Next(1, source.Length + 1));
                int at = random.Next(text.Length);
                switch (i % 3)
                {
                    case 1:
                        text[at] = alphabet[random.Next(alphabet.Length)];
                        break;
                    default:
                        text.Insert(at, alphabet[random.Next(alphabet.Length)]);
                        break;
                }

                if (random.Next(3) == 0)
                {
                    text.Clear().Append(source, 0, random.Next(1, source.Length + 1));
                }
            }

            byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
            var cursor = JsonCursor.AnyObject;
            bool ours = cursor.Step(bytes);
            Assert.True(ours == BeginsAnObject(bytes), $"cursor {(ours ? "accepts" : "refuses")} {text}");
            accepted += ours ? 1 : 0;
            complete += ours && cursor.IsComplete ? 1 : 0;
        }

        // The comparison must have covered both answers and whole objects, not only texts refused early.
        Assert.True(accepted > 10_000 && complete > 150, $"{accepted} accepted, {complete} complete");
    }

    private static bool BeginsAnObject(byte[] bytes) => BeginsJsonObject(bytes) && !HasLongWhitespaceRun(bytes);

    /// <summary>The cursor's own rule on top of JSON's: outside strings, whitespace comes one byte at a time.</summary>
    private static bool HasLongWhitespaceRun(byte[] bytes)
    {
        bool inString = false, escaped = false;
        int run = 0;
        foreach (byte b in bytes)
        {
            if (inString)
            {
                (escaped, inString) = (!escaped && b == (byte)'\\', escaped || b != (byte)'"');
                continue;
            }

            run = b is (byte)' ' or (byte)'\n' or (byte)'\t' or (byte)'\r' ? run + 1 : 0;
            if (run > JsonCursor.MaxWhitespaceRun)
            {
                return true;
            }

            inString = b == (byte)'"';
        }

        return false;
    }

    private static bool BeginsJsonObject(byte[] bytes)
    {
        if (bytes.Length > 0 && bytes[0] != (byte)'{')
        {
            return false;
        }

        var reader = new Utf8JsonReader(bytes, isFinalBlock: false, default);
        bool first = true;
        try
        {
            while (reader.Read())
            {
                if (first && reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                first = false;
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                {
                    return reader.BytesConsumed == bytes.Length;
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        // The reader wants more bytes. What it has not consumed is whitespace, or the start of a token: the first token
        // must open an object, and an unterminated string is checked on its own, since the reader checks a string's
        // escapes and characters only once it has found its end (a partial escape is completed first).
        string rest = Encoding.ASCII.GetString(bytes, (int)reader.BytesConsumed, bytes.Length - (int)reader.BytesConsumed).TrimStart(' ', '\n');
        if (first && rest.Length > 0 && rest[0] != '{')
        {
            return false;
        }

        // (A whole string there is a key whose colon has not come yet.)
        return !rest.StartsWith('"') || IsJsonString(rest.TrimEnd(' ', '\n'))
            || new[] { "", "n", "0", "00", "000", "0000" }.Any(fill => IsJsonString(rest + fill + "\""));
    }

    private static bool IsJsonString(string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        var reader = new Utf8JsonReader(bytes);
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.String && reader.BytesConsumed == bytes.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
