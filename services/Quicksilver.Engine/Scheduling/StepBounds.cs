namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// What a set of sequences' plans say about the steps they take: at most <paramref name="MostSteps"/> in all (each
/// one's <see cref="Decoding.DenoisingSequence.MostStepsLeft"/>), at least <paramref name="FewestSum"/> in all (each one's
/// <see cref="Decoding.DenoisingSequence.FewestStepsLeft"/>), of which the fewest one can take is
/// <paramref name="FewestMin"/> and the largest such count <paramref name="FewestMax"/>; and what those steps cost:
/// <paramref name="Sequences"/> sequences whose canvases hold <paramref name="CanvasTokens"/> tokens in all.
/// </summary>
internal sealed record StepBounds(long MostSteps, long FewestSum, int FewestMin, int FewestMax, int Sequences, long CanvasTokens)
{
    public static readonly StepBounds None = new(0, 0, 0, 0, 0, 0);

    /// <summary>
    /// The fewest steps before a request finds a place in a full batch of <paramref name="capacity"/> sequences, these
    /// being the running ones and <paramref name="ahead"/> the ones waiting before it: no running one leaves sooner
    /// than <see cref="FewestMin"/>; and it gets its place once all but <c>capacity − 1</c> of them have left, which
    /// takes at least their fewest steps, shared over the places (at least the sum of all but the
    /// <c>capacity − 1</c> largest, each at most <see cref="FewestMax"/>).
    /// </summary>
    public int FewestBeforeAPlace(int capacity, StepBounds ahead)
    {
        ArgumentNullException.ThrowIfNull(ahead);
        long leaving = FewestSum + ahead.FewestSum - ((long)(capacity - 1) * Math.Max(FewestMax, ahead.FewestMax));
        return (int)Math.Min(int.MaxValue, Math.Max(FewestMin, (leaving + capacity - 1) / capacity));
    }
}
