using System.Text.Json;
using Quicksilver.Gateway.Errors;

namespace Quicksilver.Gateway.Relay;

/// <summary>
/// Relays a pod's SSE answer event by event, unbuffered beyond one event and byte for byte, with two duties:
/// it reads the usage chunk (dropping it when only the gateway asked for it), and when the pod fails mid-stream, or
/// <paramref name="cut"/> completes (the gateway took the pod for hung), it ends the stream the way OpenAI streams end
/// on an error — <c>data: {"error":…}</c> then <c>data: [DONE]</c> — instead of cutting the connection. Events are
/// <c>data: …\n\n</c>, as the pods write them.
/// </summary>
internal sealed class SseRelayStream(Stream upstream, bool keepUsageChunk, IAnswerObserver observer, Task? cut = null) : ReadOnlyRelayStream(upstream, observer)
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] DoneEvent = "data: [DONE]\n\n"u8.ToArray();

    private static readonly GatewayError PodFailed = new(
        StatusCodes.Status502BadGateway,
        "BadGatewayError",
        "The model server failed while streaming this answer; it is incomplete. Retry the request.");

    private static readonly GatewayError PodStoppedAnswering = new(
        StatusCodes.Status504GatewayTimeout,
        "GatewayTimeoutError",
        "The model server stopped answering while streaming this answer; it is incomplete. Retry the request.");

    private byte[] _pending = new byte[16 * 1024];
    private int _pendingCount;
    private ReadOnlyMemory<byte> _ready;
    private bool _ended;
    private bool _sawDone;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_ready.IsEmpty && !_ended)
        {
            await FillAsync(cancellationToken);
        }

        int count = Math.Min(buffer.Length, _ready.Length);
        _ready[..count].CopyTo(buffer);
        _ready = _ready[count..];
        return count;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_pendingCount == _pending.Length)
        {
            Array.Resize(ref _pending, _pending.Length * 2);
        }

        int read;
        try
        {
            ValueTask<int> reading = Upstream.ReadAsync(_pending.AsMemory(_pendingCount), cancellationToken);
            if (reading.IsCompleted || cut is null)
            {
                read = await reading;
            }
            else
            {
                Task<int> pending = reading.AsTask();
                if (await Task.WhenAny(pending, cut) != pending)
                {
                    // The read fails once the answer is disposed (which closes the pod's connection): nobody waits for it.
                    _ = pending.ContinueWith(static read => read.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    _ready = EndWithError(new TimeoutException("The pod was taken for hung."), PodStoppedAnswering);
                    return;
                }

                read = await pending;
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            _ready = EndWithError(exception, PodFailed);
            return;
        }

        if (read == 0)
        {
            _ready = _sawDone ? ReadOnlyMemory<byte>.Empty : EndWithError(null, PodFailed);
            _ended = true;
            return;
        }

        _pendingCount += read;
        _ready = TakeCompleteEvents();
    }

    private byte[] TakeCompleteEvents()
    {
        using var output = new MemoryStream();
        int start = 0;
        while (_pending.AsSpan(start, _pendingCount - start).IndexOf("\n\n"u8) is var end and >= 0)
        {
            ReadOnlySpan<byte> sseEvent = _pending.AsSpan(start, end + 2);
            if (Relay(sseEvent))
            {
                output.Write(sseEvent);
            }

            start += end + 2;
        }

        _pending.AsSpan(start, _pendingCount - start).CopyTo(_pending);
        _pendingCount -= start;
        return output.ToArray();
    }

    /// <summary>Observes one event; false when it is the usage chunk only the gateway wanted.</summary>
    private bool Relay(ReadOnlySpan<byte> sseEvent)
    {
        if (!sseEvent.StartsWith(DataPrefix))
        {
            return true;
        }

        ReadOnlySpan<byte> data = sseEvent[DataPrefix.Length..^2];
        if (data.SequenceEqual("[DONE]"u8))
        {
            _sawDone = true;
            return true;
        }

        if (data.StartsWith("{\"error\":"u8))
        {
            Observer.OnPodError();
            return true;
        }

        if (data.IndexOf("\"usage\":{"u8) < 0)
        {
            return true;
        }

        try
        {
            using JsonDocument chunk = JsonDocument.Parse(data.ToArray());
            if (RelayedUsage.FromAnswer(chunk.RootElement) is { } usage)
            {
                Observer.OnUsage(usage);
                bool usageOnly = chunk.RootElement.TryGetProperty("choices", out JsonElement choices)
                    && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() == 0;
                return keepUsageChunk || !usageOnly;
            }
        }
        catch (JsonException)
        {
            // Not ours to judge: relay what the pod sent.
        }

        return true;
    }

    private byte[] EndWithError(Exception? failure, GatewayError error)
    {
        _ended = true;
        Observer.OnBroken(failure);
        return [.. DataPrefix, .. error.ToJsonBytes(), .. "\n\n"u8, .. DoneEvent];
    }
}
