using Quicksilver.Engine.Metering;
using Quicksilver.Engine.Tests.Scheduling;

namespace Quicksilver.Engine.Tests.Metering;

public sealed class WallTimeLedgerTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void Idle_FromConstruction_IncludesTheStretchUnderWay()
    {
        var ledger = new WallTimeLedger(_clock);

        _clock.Advance(TimeSpan.FromSeconds(2));
        TimeSpan during = ledger.Idle;
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromSeconds(2), during);
        Assert.Equal(TimeSpan.FromSeconds(3), ledger.Idle);
    }

    [Fact]
    public void ChargeStep_CoversEverythingSinceThePreviousChargeOrIdleEnd()
    {
        var ledger = new WallTimeLedger(_clock);

        _clock.Advance(TimeSpan.FromSeconds(2));
        ledger.EndIdle();
        _clock.Advance(TimeSpan.FromSeconds(5));
        TimeSpan first = ledger.ChargeStep(_clock.GetTimestamp());
        _clock.Advance(TimeSpan.FromSeconds(1)); // bookkeeping between steps
        ledger.EndIdle();
        _clock.Advance(TimeSpan.FromSeconds(4));
        TimeSpan second = ledger.ChargeStep(_clock.GetTimestamp());

        Assert.Equal(TimeSpan.FromSeconds(5), first);
        Assert.Equal(TimeSpan.FromSeconds(5), second);
        Assert.Equal(TimeSpan.FromSeconds(2), ledger.Idle);
    }

    [Fact]
    public void BeginIdle_AfterAStep_CountsFromThatStepsCharge()
    {
        var ledger = new WallTimeLedger(_clock);
        ledger.EndIdle();
        _clock.Advance(TimeSpan.FromSeconds(3));
        TimeSpan step = ledger.ChargeStep(_clock.GetTimestamp());

        _clock.Advance(TimeSpan.FromSeconds(1)); // bookkeeping, then nothing left to run
        ledger.BeginIdle();
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(3), step);
        Assert.Equal(TimeSpan.FromSeconds(3), ledger.Idle);
    }

    [Fact]
    public void ChargesPlusIdle_AreTheWallTime_WithRepeatedCallsCountingOnce()
    {
        var ledger = new WallTimeLedger(_clock);
        var charged = TimeSpan.Zero;

        _clock.Advance(TimeSpan.FromSeconds(1));
        ledger.BeginIdle();
        _clock.Advance(TimeSpan.FromSeconds(1));
        ledger.EndIdle();
        ledger.EndIdle();
        _clock.Advance(TimeSpan.FromSeconds(3));
        charged += ledger.ChargeStep(_clock.GetTimestamp());
        ledger.BeginIdle();
        _clock.Advance(TimeSpan.FromSeconds(2));
        charged += ledger.ChargeStep(_clock.GetTimestamp()); // a step with no EndIdle before it still ends the idle stretch first
        _clock.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(TimeSpan.FromSeconds(3), charged);
        Assert.Equal(TimeSpan.FromSeconds(4), ledger.Idle);
        Assert.Equal(TimeSpan.FromSeconds(11), charged + ledger.Idle + ledger.ChargeStep(_clock.GetTimestamp()));
    }
}
