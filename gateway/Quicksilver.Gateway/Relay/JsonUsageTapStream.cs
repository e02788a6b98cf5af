using System.Text.Json;

namespace Quicksilver.Gateway.Relay;

/// <summary>
/// Relays a non-streamed JSON answer unchanged while keeping a copy (up to <see cref="MaxCapturedBytes"/>), and
/// reports its <c>usage</c> when the body ends.
/// </summary>
internal sealed class JsonUsageTapStream(Stream upstream, IAnswerObserver observer) : ReadOnlyRelayStream(upstream)
{
    /// <summary>Answers longer than this are relayed but not metered (no pod answer comes near it).</summary>
    public const int MaxCapturedBytes = 8 * 1024 * 1024;

    private readonly MemoryStream _captured = new();
    private bool _reported;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await Upstream.ReadAsync(buffer, cancellationToken);
        if (read > 0 && _captured.Length + read <= MaxCapturedBytes)
        {
            _captured.Write(buffer.Span[..read]);
        }
        else if (read == 0 && !_reported)
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
                observer.OnUsage(usage);
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
