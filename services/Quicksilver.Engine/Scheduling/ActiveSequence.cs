using System.Threading.Channels;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// A sequence inside the engine, with the channel its updates go to, the token that cancels it, the tenant it is
/// billed to, the device time attributed to it so far and, while it runs with block caching, its K/V cache.
/// </summary>
internal sealed class ActiveSequence
{
    public ActiveSequence(DenoisingSequence denoiser, string tenant, DateTimeOffset enqueued, long kvCacheBytes, CancellationToken cancellation, Func<IReadOnlyList<int>, bool>? endsAfterBlock = null)
    {
        Denoiser = denoiser;
        Tenant = tenant;
        EndsAfterBlock = endsAfterBlock;
        Cancellation = cancellation;
        Enqueued = enqueued;
        KvCacheBytes = kvCacheBytes;
    }

    public DenoisingSequence Denoiser { get; }

    public string Tenant { get; }

    /// <summary>The request's <see cref="GenerationRequest.EndsAfterBlock"/>.</summary>
    public Func<IReadOnlyList<int>, bool>? EndsAfterBlock { get; }

    /// <summary>The fewest steps the sequence can still take (its stop check may end it after any block).</summary>
    public int FewestStepsLeft => Denoiser.FewestStepsLeft(callerMayEndIt: EndsAfterBlock is not null);

    public CancellationToken Cancellation { get; }

    public DateTimeOffset Enqueued { get; }

    public int CanvasLength => Denoiser.Canvas.Length;

    /// <summary>Bytes its K/V cache takes (0 without block caching): reserved when it joins the batch.</summary>
    public long KvCacheBytes { get; }

    /// <summary>Its K/V cache from the step it joins the batch until it leaves; null without block caching.</summary>
    public IKvCache? KvCache { get; set; }

    public Channel<GenerationUpdate> Updates { get; } = Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>Its shares of the wall time of the steps it took part in (whole 100 ns ticks).</summary>
    public TimeSpan GpuTime { get; set; }

    /// <summary>Whether it has left the step loop (metered, updates ended).</summary>
    public bool Departed { get; set; }
}
