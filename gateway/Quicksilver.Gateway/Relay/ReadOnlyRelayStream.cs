namespace Quicksilver.Gateway.Relay;

/// <summary>
/// A forward-only read stream over a pod's answer body; subclasses decide what each read returns. Disposing it (the
/// body relayed, or the client gone) tells the observer the answer ended.
/// </summary>
internal abstract class ReadOnlyRelayStream(Stream upstream, IAnswerObserver observer) : Stream
{
    private int _ended;

    protected Stream Upstream { get; } = upstream;

    /// <summary>Who hears of the answer's usage, breaks and end.</summary>
    protected IAnswerObserver Observer { get; } = observer;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Upstream.Dispose();
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Observer.OnEnded();
            }
        }

        base.Dispose(disposing);
    }
}
