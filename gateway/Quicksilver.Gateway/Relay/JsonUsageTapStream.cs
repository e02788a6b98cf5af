using System.Text.Json;

namespace Quicksilver.Gateway.Relay;

/// <summary>
/// Relays a non-streamed JSON answer unchanged while keeping a copy (up to <see cref="MaxCapturedBytes"/>), and
/// reports its <c>usage</c> when the body ends: as its last byte is read when the pod declared a length (before the
/// client can have the whole answer), else at the end of the body.
/// </summary>
internal sealed class JsonUsageTapStream(Stream upstream, long? declaredLength, IAnswerObserver observer) : ReadOnlyRelayStream(upstream, observer)
{
    /// <summary>Answers longer than this are relayed but not metered (no pod answer comes near it).</summary>
    public const int MaxCapturedBytes = 8 * 1024 * 1024;

    private readonly MemoryStream _captured = new();
    private bool _reported;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await Upstream.ReadAsync(buffer, cancellationToken);
        if (buffer.IsEmpty)
        {
            // A zero-byte read (YARP waits for data this way) says nothing about the end of the body.
            return read;
        }

        if (read > 0 && _captured.Length + read <= MaxCapturedBytes)
        {
            _captured.Write(buffer.Span[..read]);
        }

        if (!_reported && (read == 0 || _captured.Length == declaredLength))
        {
            _reported = true;
            ReportUsage();
        }

        return read;
    }

    private void ReportUsage()
    {
        try
        {
            using JsonDocument answer = JsonDocument.Parse(_captured.GetBuffer().AsMemory(0, (int)_captured.Length));
            if (RelayedUsage.FromAnswer(answer.RootElement) is { } usage)
            {
                Observer.OnUsage(usage);
            }
        }
        catch (JsonException)
        {
            // Truncated past the cap or not JSON: relayed as is, not metered.
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _captured.Dispose();
        }

        base.Dispose(disposing);
    }
}
