using Quicksilver.Gateway.Relay;

namespace Quicksilver.Gateway.Tests.Relay;

internal sealed class RecordingObserver : IAnswerObserver
{
    public List<RelayedUsage> Usages { get; } = [];

    public List<Exception?> Breaks { get; } = [];

    public void OnUsage(RelayedUsage usage) => Usages.Add(usage);

    public int Ended { get; private set; }

    public void OnBroken(Exception? failure) => Breaks.Add(failure);

    public int PodErrors { get; private set; }

    public void OnPodError() => PodErrors++;

    public void OnEnded() => Ended++;
}
