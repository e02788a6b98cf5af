using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Quicksilver.LoadTest.Client;

/// <summary>One server-sent event's <c>data</c> (lines joined with \n) and when its closing blank line arrived.</summary>
internal readonly record struct TimedEvent(string Data, long Timestamp);

/// <summary>Reads <c>text/event-stream</c> as it arrives: yields each event when its blank line has been received.</summary>
internal static class SseReader
{
    public static async IAsyncEnumerable<TimedEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream);
        var data = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    yield return new TimedEvent(string.Join('\n', data), Stopwatch.GetTimestamp());
                    data.Clear();
                }
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Add(line.Length > 5 && line[5] == ' ' ? line[6..] : line[5..]);
            }

            // Comments (": …") and other fields (event:, id:, retry:) carry nothing the metrics use.
        }

        // A final event without its blank line was not delivered completely: dropped, as the SSE spec says.
    }
}
