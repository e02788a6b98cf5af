using System.Text;

namespace Quicksilver.Gateway.Tests.Relay;

/// <summary>
/// An upstream body that returns the given pieces one read at a time, then ends or fails, or (<paramref name="stall"/>)
/// waits until it is disposed, as a hung pod's connection does, and fails then.
/// </summary>
internal sealed class ScriptedStream(IEnumerable<string> pieces, Exception? failure = null, bool stall = false) : Stream
{
    private readonly Queue<byte[]> _pieces = new(pieces.Select(Encoding.UTF8.GetBytes));
    private readonly TaskCompletionSource<int> _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return ValueTask.FromResult(0); // a socket's zero-byte read: "data is available"
        }

        if (_pieces.Count == 0)
        {
            return stall ? new ValueTask<int>(_stalled.Task)
                : failure is null ? ValueTask.FromResult(0) : ValueTask.FromException<int>(failure);
        }

        byte[] piece = _pieces.Dequeue();
        Assert.True(piece.Length <= buffer.Length, "a piece larger than the reader's buffer");
        piece.CopyTo(buffer);
        return ValueTask.FromResult(piece.Length);
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _stalled.TrySetException(new ObjectDisposedException(nameof(ScriptedStream)));
        base.Dispose(disposing);
    }
}
