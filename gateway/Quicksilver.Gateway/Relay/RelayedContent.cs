using System.Net;

namespace Quicksilver.Gateway.Relay;

/// <summary>A pod's answer body seen through a relay stream; YARP copies from <see cref="CreateContentReadStreamAsync()"/>.</summary>
internal sealed class RelayedContent(HttpContent original, Func<Stream, Stream> relay) : HttpContent
{
    protected override async Task<Stream> CreateContentReadStreamAsync() => relay(await original.ReadAsStreamAsync());

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        relay(await original.ReadAsStreamAsync(cancellationToken));

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await using Stream source = await CreateContentReadStreamAsync();
        await source.CopyToAsync(stream);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            original.Dispose();
        }

        base.Dispose(disposing);
    }
}
