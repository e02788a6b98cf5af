using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Server.Completions;

/// <summary>The wire names of <see cref="FinishReason"/>.</summary>
internal static class FinishReasons
{
    public static string ToWire(FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown finish reason."),
    };
}
