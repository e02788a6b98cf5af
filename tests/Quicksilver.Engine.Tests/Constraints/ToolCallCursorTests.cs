using System.Text;
using Quicksilver.Engine.Constraints;

namespace Quicksilver.Engine.Tests.Constraints;

/// <summary><see cref="ToolCallCursor"/>: one call in Hermes' syntax of an offered name, with an object of arguments.</summary>
public sealed class ToolCallCursorTests
{
    private static readonly string[] Names = ["get_weather", "get", "set_alarm"];

    [Theory]
    [InlineData("get_weather", "{\"city\": \"Paris\"}")]
    [InlineData("get", "{}")]
    [InlineData("set_alarm", "{\"at\": [7, 30], \"loud\": true}")]
    public void CallOfAnOfferedName_IsAcceptedAndCompleteOnlyAtItsLastByte(string name, string arguments)
    {
        byte[] text = Encoding.UTF8.GetBytes($"<tool_call>\n{{\"name\": \"{name}\", \"arguments\": {arguments}}}\n</tool_call>");
        var cursor = new ToolCallCursor(Names);

        for (int i = 0; i < text.Length - 1; i++)
        {
            Assert.True(cursor.Step(text[i]), $"refused byte {i} of {Encoding.UTF8.GetString(text)}");
            Assert.False(cursor.IsComplete);
        }

        Assert.True(cursor.Step(text[^1]));
        Assert.True(cursor.IsComplete);
        Assert.False(cursor.Step((byte)'\n'));
    }

    [Theory]
    [InlineData("<tool_call>\n{\"name\": \"get_time\"", 26)] // no offered name goes on with 't' after "get_"
    [InlineData("<tool_call>\n{\"name\": \"ge\"", 24)] // "ge" is only the start of names
    [InlineData("<tool_call>\n{\"name\": \"get\", \"arguments\": []", 41)] // arguments must be an object
    [InlineData("<tool_call>\n{\"name\": \"get\", \"arguments\": {}, \"x\": 1", 43)] // nothing after the arguments but the close
    [InlineData("Sure. <tool_call>", 0)] // no text before the call
    [InlineData("<tool_call> {", 11)]
    public void OtherText_IsRefusedAtItsFirstImpossibleByte(string text, int refusedAt)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var cursor = new ToolCallCursor(Names);

        for (int i = 0; i < refusedAt; i++)
        {
            Assert.True(cursor.Step(bytes[i]), $"refused byte {i}");
        }

        Assert.False(cursor.Step(bytes[refusedAt]));
    }
}
