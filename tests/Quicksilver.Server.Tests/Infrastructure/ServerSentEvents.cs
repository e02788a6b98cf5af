namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>A strict reader of the OpenAI SSE framing, for asserting on raw response bodies.</summary>
public static class ServerSentEvents
{
    /// <summary>
    /// Splits a body into the payloads of its events, failing unless every event is exactly
    /// <c>data: &lt;payload&gt;\n\n</c> (no other lines, no CR) and the last one is <c>[DONE]</c>.
    /// Returns the payloads before <c>[DONE]</c>.
    /// </summary>
    public static IReadOnlyList<string> ParseStrict(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var events = new List<string>();
        int position = 0;
        while (position < body.Length)
        {
            Assert.True(
                string.CompareOrdinal(body, position, "data: ", 0, 6) == 0,
                $"Expected 'data: ' at offset {position}: {Excerpt(body, position)}");
            int end = body.IndexOf("\n\n", position, StringComparison.Ordinal);
            Assert.True(end >= 0, $"Event at offset {position} is not terminated by a blank line: {Excerpt(body, position)}");
            string payload = body[(position + 6)..end];
            Assert.DoesNotContain('\n', payload);
            Assert.DoesNotContain('\r', payload);
            events.Add(payload);
            position = end + 2;
        }

        Assert.NotEmpty(events);
        Assert.Equal("[DONE]", events[^1]);
        Assert.Equal(1, events.Count(e => e == "[DONE]"));
        return events[..^1];
    }

    /// <summary>The text of a streamed completion's first choice: its chunks' <c>text</c> deltas joined (<see cref="ParseStrict"/>).</summary>
    public static string CompletionText(string body) =>
        string.Concat(ParseStrict(body)
            .Select(payload => System.Text.Json.Nodes.JsonNode.Parse(payload)!["choices"]!.AsArray())
            .Where(choices => choices.Count > 0)
            .Select(choices => choices[0]!["text"]!.GetValue<string>()));

    private static string Excerpt(string body, int position) => body.Substring(position, Math.Min(80, body.Length - position));
}
