using System.Text;
using Quicksilver.Gateway.Relay;
using Quicksilver.Gateway.Tests.Infrastructure;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.Relay;

public sealed class SseRelayStreamTests
{
    private const string Chunk1 = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"text\":\"Hel\"}],\"usage\":null}\n\n";
    private const string Chunk2 = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"text\":\"lo\",\"finish_reason\":\"stop\"}],\"usage\":null}\n\n";
    private const string UsageChunk = "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5,\"gpu_seconds\":0.25,\"cost_usd\":0.00025}}\n\n";
    private const string Done = "data: [DONE]\n\n";

    [Fact]
    public async Task Relay_EventsSplitAcrossReads_PassByteForByteAndUsageIsRead()
    {
        string body = Chunk1 + Chunk2 + UsageChunk + Done;
        var observer = new RecordingObserver();

        string relayed = await RelayAsync(Pieces(body, 7), keepUsageChunk: true, observer);

        Assert.Equal(body, relayed);
        Assert.Equal(new RelayedUsage(3, 2, 5, 0.25, 0.00025), Assert.Single(observer.Usages));
        Assert.Empty(observer.Breaks);
        Assert.Equal(1, observer.Ended);
    }

    [Fact]
    public async Task Relay_PodsErrorEvent_IsRelayedAndReportedAsThePodsFailure()
    {
        const string errorEvent = "data: {\"error\":{\"message\":\"The server had an error.\",\"type\":\"InternalServerError\",\"param\":null,\"code\":500}}\n\n";
        var observer = new RecordingObserver();

        string relayed = await RelayAsync([Chunk1, errorEvent, Done], keepUsageChunk: false, observer);

        Assert.Equal(Chunk1 + errorEvent + Done, relayed);
        Assert.Equal(1, observer.PodErrors);
        Assert.Empty(observer.Usages);
        Assert.Empty(observer.Breaks);
    }

    [Fact]
    public async Task Relay_LeftAfterTheFirstEvent_TellsTheObserverItEndedOnce()
    {
        var observer = new RecordingObserver();
        var relay = new SseRelayStream(new ScriptedStream([Chunk1, Chunk2 + UsageChunk, Done], null), keepUsageChunk: true, observer);
        var first = new byte[Chunk1.Length];

        await relay.ReadExactlyAsync(first);
        await relay.DisposeAsync();
        relay.Dispose();

        Assert.Equal(Chunk1, Encoding.UTF8.GetString(first));
        Assert.Empty(observer.Usages);
        Assert.Equal(1, observer.Ended);
    }

    [Fact]
    public async Task Relay_UsageChunkTheClientDidNotAskFor_IsDroppedButStillMetered()
    {
        var observer = new RecordingObserver();

        string relayed = await RelayAsync([Chunk1, Chunk2 + UsageChunk, Done], keepUsageChunk: false, observer);

        Assert.Equal(Chunk1 + Chunk2 + Done, relayed);
        Assert.Equal(5, Assert.Single(observer.Usages).TotalTokens);
    }

    [Fact]
    public async Task Relay_PodFailsMidStream_EndsWithAnErrorEventThenDone()
    {
        var observer = new RecordingObserver();
        var failure = new IOException("connection reset");

        string relayed = await RelayAsync([Chunk1, "data: {\"id\":\"c\",\"cho"], keepUsageChunk: false, observer, failure);

        IReadOnlyList<string> payloads = ServerSentEvents.ParseStrict(relayed);
        Assert.Equal(2, payloads.Count);
        Assert.Equal(Chunk1, $"data: {payloads[0]}\n\n");
        Assert.Equal(
            """{"error":{"message":"The model server failed while streaming this answer; it is incomplete. Retry the request.","type":"BadGatewayError","param":null,"code":502}}""",
            payloads[1]);
        Assert.Same(failure, Assert.Single(observer.Breaks));
    }

    [Fact]
    public async Task Relay_PodTakenForHungMidStream_EndsWithATimeoutErrorEventThenDone()
    {
        var observer = new RecordingObserver();
        var cut = new TaskCompletionSource();
        await using var relay = new SseRelayStream(new ScriptedStream([Chunk1], stall: true), keepUsageChunk: false, observer, cut.Task);
        using var output = new MemoryStream();
        Task copying = relay.CopyToAsync(output, bufferSize: 64);
        await Wait.UntilAsync(() => output.Length == Chunk1.Length, TimeSpan.FromSeconds(10), "the first event relayed");
        Assert.False(copying.IsCompleted); // the pod sends nothing more, and nothing else ends the stream

        cut.SetResult();
        await copying.WaitAsync(TimeSpan.FromSeconds(10));

        IReadOnlyList<string> payloads = ServerSentEvents.ParseStrict(Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(2, payloads.Count);
        Assert.Equal(
            """{"error":{"message":"The model server stopped answering while streaming this answer; it is incomplete. Retry the request.","type":"GatewayTimeoutError","param":null,"code":504}}""",
            payloads[1]);
        Assert.IsType<TimeoutException>(Assert.Single(observer.Breaks));
    }

    [Fact]
    public async Task Relay_StreamEndsWithoutDone_IsTreatedAsABrokenPod()
    {
        var observer = new RecordingObserver();

        string relayed = await RelayAsync([Chunk1], keepUsageChunk: false, observer);

        Assert.EndsWith(Done, relayed, StringComparison.Ordinal);
        Assert.Contains("\"error\":", relayed, StringComparison.Ordinal);
        Assert.Null(Assert.Single(observer.Breaks));
    }

    [Fact]
    public async Task JsonTap_RelaysUnchangedAndReportsUsageAtTheEnd()
    {
        const string answer = """{"id":"cmpl-1","object":"text_completion","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":6,"total_tokens":10,"gpu_seconds":1.5,"cost_usd":0.0015}}""";
        var observer = new RecordingObserver();
        await using var tap = new JsonUsageTapStream(new ScriptedStream(Pieces(answer, 16)), declaredLength: null, observer);
        using var reader = new StreamReader(tap, Encoding.UTF8);

        Assert.Equal(answer, await reader.ReadToEndAsync());
        Assert.Equal(new RelayedUsage(4, 6, 10, 1.5, 0.0015), Assert.Single(observer.Usages));
    }

    [Fact]
    public async Task JsonTap_WithADeclaredLength_ReportsAsTheLastByteIsRead()
    {
        const string answer = """{"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""";
        var observer = new RecordingObserver();
        await using var tap = new JsonUsageTapStream(new ScriptedStream([answer]), declaredLength: answer.Length, observer);

        Assert.Equal(0, await tap.ReadAsync(Memory<byte>.Empty)); // how YARP waits for data
        Assert.Empty(observer.Usages);
        Assert.Equal(answer.Length, await tap.ReadAsync(new byte[256]));
        Assert.Equal(3, Assert.Single(observer.Usages).TotalTokens);
        Assert.Equal(0, await tap.ReadAsync(new byte[256]));
        Assert.Single(observer.Usages);
    }

    private static async Task<string> RelayAsync(IEnumerable<string> pieces, bool keepUsageChunk, RecordingObserver observer, Exception? failure = null)
    {
        await using var relay = new SseRelayStream(new ScriptedStream(pieces, failure), keepUsageChunk, observer);
        using var output = new MemoryStream();
        await relay.CopyToAsync(output, bufferSize: 64);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static IEnumerable<string> Pieces(string text, int size)
    {
        for (int i = 0; i < text.Length; i += size)
        {
            yield return text.Substring(i, Math.Min(size, text.Length - i));
        }
    }
}
