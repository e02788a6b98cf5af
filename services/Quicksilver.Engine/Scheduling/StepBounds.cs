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
    /// The fewest steps before a request finds a place in a batch of <paramref name="capacity"/> sequences, these being
    /// the running ones and <paramref name="ahead"/> the ones waiting before it, which take the free places first: no
    /// sequence of the batch leaves sooner than its fewest steps, so the first place frees no sooner than
    /// <see cref="FewestMin"/> of the running ones when they fill the batch, of the running and waiting ones when some
    /// of those ahead join it; and the request gets its place once all but <c>capacity − 1</c> of them have left, which
    /// takes at least their fewest steps, shared over the places (at least the sum of all but the <c>capacity − 1</c>
    /// largest, each at most <see cref="FewestMax"/>). Zero when a place is free for the request.
    /// </summary>
    public int FewestBeforeAPlace(int capacity, StepBounds ahead)
    {
        ArgumentNullException.ThrowIfNull(ahead);
        if (Sequences + ahead.Sequences < capacity)
        {
            return 0;
        }

        int firstLeaves = Sequences >= capacity || ahead.Sequences == 0 ? FewestMin
            : Sequences == 0 ? ahead.FewestMin
            : Math.Min(FewestMin, ahead.FewestMin);
        long leaving = FewestSum + ahead.FewestSum - ((long)(capacity - 1) * Math.Max(FewestMax, ahead.FewestMax));
        return (int)Math.Min(int.MaxValue, Math.Max(firstLeaves, (leaving + capacity - 1) / capacity));
    }
}
