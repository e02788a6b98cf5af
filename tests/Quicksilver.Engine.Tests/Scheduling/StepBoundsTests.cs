using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>The fewest steps before a place frees in a full batch, checked against schedules worked by hand.</summary>
public sealed class StepBoundsTests
{
    [Theory]
    [InlineData(1, new[] { 300 }, new[] { 300, 300 }, 900)]     // one place: every answer ahead runs whole, one after another
    [InlineData(4, new[] { 300, 300, 300, 300 }, new[] { 300, 300 }, 300)] // all four leave at 300: the place comes then
    [InlineData(2, new[] { 10, 300 }, new[] { 300, 300 }, 305)] // places free at 10, 300, 310: at least 305 of the 310
    [InlineData(2, new[] { 10, 300 }, new int[0], 10)]          // the first to leave
    [InlineData(3, new[] { 5, 5, 5 }, new[] { 100 }, 5)]        // a long one ahead takes a place freed at 5; another frees at 5
    [InlineData(4, new int[0], new[] { 128, 128, 128, 128 }, 128)] // those ahead fill the idle batch: the first leaves at 128
    [InlineData(2, new[] { 80 }, new[] { 4 }, 4)]               // the one ahead takes the free place and may leave first
    [InlineData(2, new[] { 80 }, new[] { 90 }, 80)]
    [InlineData(4, new[] { 10 }, new[] { 128, 128 }, 0)]        // a place is left for the request
    public void FewestBeforeAPlace_IsNoMoreThanTheScheduleGives(int capacity, int[] running, int[] ahead, int fewest)
    {
        Assert.Equal(fewest, Bounds(running).FewestBeforeAPlace(capacity, Bounds(ahead)));
    }

    private static StepBounds Bounds(int[] fewest) => fewest.Length == 0
        ? StepBounds.None
        : new StepBounds(fewest.Sum(), fewest.Sum(), fewest.Min(), fewest.Max(), fewest.Length, fewest.Length);
}
