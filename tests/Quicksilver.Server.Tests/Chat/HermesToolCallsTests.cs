using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Chat.Tests;

public sealed class HermesToolCallsTests
{
    [Fact]
    public void Read_TextThenTwoCalls_ContentBeforeAndEachCallAsWritten()
    {
        const string answer =
            "Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": [1, 2]}}\n</tool_call>\n" +
            "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>";

        (string? content, IReadOnlyList<ToolCallFunction> calls) = HermesToolCalls.Read(answer);

        Assert.Equal("Let me look.\n", content);
        Assert.Equal(
            [new ToolCallFunction("get_weather", "{\"city\": \"Paris\", \"days\": [1, 2]}"), new ToolCallFunction("get_time", "{}")],
            calls);
    }

    [Theory]
    [InlineData("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1}}\n</tool_call>", "{\"a\": 1}")]
    [InlineData("\n\n<tool_call>{\"name\": \"f\", \"arguments\": {\"a\":1}}</tool_call>\ntrailing words are dropped", "{\"a\":1}")]
    [InlineData("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1}}\n", "{\"a\": 1}")] // the answer ended before the close
    [InlineData("<tool_call>{\"name\": \"f\", \"arguments\": \"{\\\"a\\\": 1}\"}</tool_call>", "{\"a\": 1}")] // arguments written as a string of JSON
    [InlineData("<tool_call>{\"name\": \"f\", \"arguments\": null}</tool_call>", "{}")] // none
    public void Read_OnlyACall_NoContentAndTheArgumentsAsWritten(string answer, string arguments)
    {
        (string? content, IReadOnlyList<ToolCallFunction> calls) = HermesToolCalls.Read(answer);

        Assert.Null(content);
        Assert.Equal(new ToolCallFunction("f", arguments), Assert.Single(calls));
    }

    [Theory]
    [InlineData("Plain text, no call.")]
    [InlineData("Almost <tool_call> {\"name\": \"f\", \"arguments\": {\"a\": 1}")] // not closed JSON
    [InlineData("<tool_call>{\"arguments\": {}}</tool_call>")] // no name
    [InlineData("<tool_call>{\"name\": 5, \"arguments\": {}}</tool_call>")]
    [InlineData("<tool_call>{\"name\": \"f\"}</tool_call>")] // no arguments
    [InlineData("<tool_call>[\"f\"]</tool_call>")]
    [InlineData("<tool_call>{\"name\": \"f\", \"arguments\": \"weather in Paris\"}</tool_call>")] // a string that is not JSON: no client could parse it
    [InlineData("<tool_call>{\"name\": \"f\", \"arguments\": \"[1, 2]\"}</tool_call>")] // JSON, but not an object
    [InlineData("<tool_call>{\"name\": \"f\", \"arguments\": [1, 2]}</tool_call>")]
    [InlineData("<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call><tool_call>not json</tool_call>")] // one bad section spoils all
    public void Read_NoWellFormedCall_TheWholeAnswerIsText(string answer)
    {
        (string? content, IReadOnlyList<ToolCallFunction> calls) = HermesToolCalls.Read(answer);

        Assert.Equal(answer, content);
        Assert.Empty(calls);
    }
}
