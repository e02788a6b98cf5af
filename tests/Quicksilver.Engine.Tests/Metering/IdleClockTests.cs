using Quicksilver.Engine.Metering;
using Quicksilver.Engine.Tests.Scheduling;

namespace Quicksilver.Engine.Tests.Metering;

public sealed class IdleClockTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void Total_WhileIdle_IncludesTheStretchUnderWay()
    {
        var idle = new IdleClock(_clock);

        idle.Start();
        _clock.Advance(TimeSpan.FromSeconds(2));
        TimeSpan during = idle.Total;
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromSeconds(2), during);
        Assert.Equal(TimeSpan.FromSeconds(3), idle.Total);
    }

    [Fact]
    public void Total_WhileBusy_DoesNotGrow()
    {
        var idle = new IdleClock(_clock);

        idle.Start();
        _clock.Advance(TimeSpan.FromSeconds(2));
        idle.Stop();
        _clock.Advance(TimeSpan.FromSeconds(5));
        idle.Start();
        _clock.Advance(TimeSpan.FromSeconds(1));
        idle.Stop();
        _clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromSeconds(3), idle.Total);
    }

    [Fact]
    public void Start_WhileAlreadyIdle_CountsTheStretchOnce()
    {
        var idle = new IdleClock(_clock);

        idle.Start();
        _clock.Advance(TimeSpan.FromSeconds(1));
        idle.Start();
        _clock.Advance(TimeSpan.FromSeconds(1));
        idle.Stop();
        idle.Stop();

        Assert.Equal(TimeSpan.FromSeconds(2), idle.Total);
    }
}
