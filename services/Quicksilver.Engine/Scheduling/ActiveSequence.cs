using System.Threading.Channels;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Scheduling;

/// <summary>A sequence inside the engine, with the channel its updates go to and the token that cancels it.</summary>
internal sealed class ActiveSequence
{
    public ActiveSequence(DenoisingSequence denoiser, DateTimeOffset enqueued, CancellationToken cancellation)
    {
        Denoiser = denoiser;
        Cancellation = cancellation;
        Enqueued = enqueued;
    }

    public DenoisingSequence Denoiser { get; }

    public CancellationToken Cancellation { get; }

    public DateTimeOffset Enqueued { get; }

    public int CanvasLength => Denoiser.Canvas.Length;

    public Channel<GenerationUpdate> Updates { get; } = Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>The forward input of the step in flight.</summary>
    public ForwardSequence? CurrentStep { get; set; }
}
