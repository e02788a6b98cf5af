using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>The expected queue wait from its moving averages: fed by hand, no clock involved.</summary>
public sealed class QueueWaitEstimatorTests
{
    [Fact]
    public void Estimate_ColdStart_IsNullUntilASaturatedStepAndTheStepsOfASequenceWereSeen()
    {
        var estimator = new QueueWaitEstimator(capacity: 1);
        Assert.Null(estimator.Estimate(ahead: 100, running: 1));

        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(1));
        Assert.Null(estimator.Estimate(ahead: 100, running: 1));

        estimator.RecordDeparture(8);
        Assert.NotNull(estimator.Estimate(ahead: 100, running: 1));
    }

    [Fact]
    public void Estimate_DeparturesOnly_IsNull()
    {
        var estimator = new QueueWaitEstimator(capacity: 1);
        estimator.RecordDeparture(8);

        Assert.Null(estimator.Estimate(ahead: 100, running: 1));
    }

    [Fact]
    public void Estimate_BeforeAnySequenceLeft_UsesThePlannedStepsOfThoseThatJoined()
    {
        // Capacity 4, full; 3 ahead: 4 must leave. Joined with 8 and 16 planned steps: 8 + 0.1 × 8 = 8.8 steps each.
        var estimator = new QueueWaitEstimator(capacity: 4);
        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(0.1));
        estimator.RecordJoin(8);
        estimator.RecordJoin(16);
        Assert.Equal(4 * 8.8 / 4 * 0.1, estimator.Estimate(ahead: 3, running: 4)!.Value.TotalSeconds, 9);

        // Once a sequence has left, the steps actually taken (an early end) replace the plan.
        estimator.RecordDeparture(4);
        Assert.Equal(4 * 4.0 / 4 * 0.1, estimator.Estimate(ahead: 3, running: 4)!.Value.TotalSeconds, 9);
    }

    [Fact]
    public void Estimate_ColdWithAPlaceFree_IsZero()
    {
        var estimator = new QueueWaitEstimator(capacity: 4);

        Assert.Equal(TimeSpan.Zero, estimator.Estimate(ahead: 1, running: 2));
    }

    [Theory]
    [InlineData(32, 0, 0, true)]
    [InlineData(32, 32, 31, true)]   // 32 must leave: the whole batch of 32
    [InlineData(32, 32, 32, false)]  // 33 must leave: more than one batch
    [InlineData(32, 10, 53, true)]   // 22 places free take 22 of the 53 ahead; then 32 must leave
    [InlineData(32, 10, 54, false)]
    [InlineData(4, 4, 15, true)]     // a small batch still queues 16
    [InlineData(4, 4, 16, false)]
    public void ColdQueueAdmits_OneBatchBeyondTheFreePlacesAndAtLeastSixteen(int capacity, int running, int ahead, bool admitted)
    {
        var estimator = new QueueWaitEstimator(capacity);

        Assert.Equal(admitted, estimator.ColdQueueAdmits(ahead, running));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 0)]
    public void Estimate_APlaceFreeForTheRequest_IsZero(int running, int ahead)
    {
        QueueWaitEstimator estimator = Warm(capacity: 4, stepSeconds: 0.1, stepsPerSequence: 8);

        Assert.Equal(TimeSpan.Zero, estimator.Estimate(ahead, running));
    }

    [Theory]
    [InlineData(4, 0, 0.2)] // one of 4 sequences must leave: a full batch of 4 loses 4/8 per step → 2 steps
    [InlineData(4, 3, 0.8)] // 4 must leave → 8 steps
    [InlineData(0, 7, 0.8)] // idle engine, 7 ahead: 4 of them fill the batch, then 4 must leave
    [InlineData(2, 5, 0.8)] // 2 places free: taken by the first 2 ahead; 4 must leave
    public void Estimate_RequestsAhead_IsDeparturesTimesStepsPerSequenceOverCapacityTimesStepTime(int running, int ahead, double seconds)
    {
        QueueWaitEstimator estimator = Warm(capacity: 4, stepSeconds: 0.1, stepsPerSequence: 8);

        Assert.Equal(seconds, estimator.Estimate(ahead, running)!.Value.TotalSeconds, 9);
    }

    [Theory]
    [InlineData(150, 15.0)]  // the plans allow fewer steps than the averages expect: they bound the wait
    [InlineData(400, 40.0)]  // exactly the averages' expectation
    [InlineData(1000, 40.0)] // the averages expect less: early ends count
    public void Estimate_StepsThePlansAllow_BoundTheAverages(long stepsAllowed, double seconds)
    {
        QueueWaitEstimator estimator = Warm(capacity: 1, stepSeconds: 0.1, stepsPerSequence: 400);

        Assert.Equal(seconds, estimator.Estimate(ahead: 0, running: 1, stepsAllowed)!.Value.TotalSeconds, 9);
    }

    [Theory]
    [InlineData(80, 8.0)]  // no running sequence can leave for 80 steps: the averages' 4 steps are too few
    [InlineData(2, 0.4)]   // the averages expect more
    public void Estimate_FewestStepsBeforeAPlaceFrees_RaiseTheAverages(int stepsAtLeast, double seconds)
    {
        QueueWaitEstimator estimator = Warm(capacity: 1, stepSeconds: 0.1, stepsPerSequence: 4);

        Assert.Equal(seconds, estimator.Estimate(ahead: 0, running: 1, stepsAllowed: 100, stepsAtLeast)!.Value.TotalSeconds, 9);
    }

    [Fact]
    public void Estimate_StepsAllowedOverAFullBatch_AreSharedByItsSequences()
    {
        // Capacity 4, 3 ahead: 4 must leave, 4 × 8 = 32 steps expected; the plans allow 20 steps over 4 sequences: 5 steps.
        QueueWaitEstimator estimator = Warm(capacity: 4, stepSeconds: 0.1, stepsPerSequence: 8);

        Assert.Equal(0.5, estimator.Estimate(ahead: 3, running: 4, stepsAllowed: 20)!.Value.TotalSeconds, 9);
    }

    [Fact]
    public void RecordSaturatedStep_MovingAverage_WeighsTheNewestSampleBySmoothing()
    {
        var estimator = new QueueWaitEstimator(capacity: 1);
        estimator.RecordDeparture(1);
        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(0.1));
        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(0.2));

        // Capacity 1, one running, none ahead, one step per sequence: the wait is one step time.
        Assert.Equal(0.1 + (QueueWaitEstimator.Smoothing * 0.1), estimator.Estimate(ahead: 0, running: 1)!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void RecordDeparture_MovingAverage_WeighsTheNewestSampleBySmoothing()
    {
        var estimator = new QueueWaitEstimator(capacity: 1);
        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(1));
        estimator.RecordDeparture(10);
        estimator.RecordDeparture(20);

        Assert.Equal(10 + (QueueWaitEstimator.Smoothing * 10), estimator.Estimate(ahead: 0, running: 1)!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void Estimate_ManySamples_ForgetsTheOldLoad()
    {
        QueueWaitEstimator estimator = Warm(capacity: 1, stepSeconds: 10, stepsPerSequence: 1);
        for (int i = 0; i < 100; i++)
        {
            estimator.RecordSaturatedStep(TimeSpan.FromSeconds(0.01));
        }

        Assert.InRange(estimator.Estimate(ahead: 0, running: 1)!.Value.TotalSeconds, 0.01, 0.011);
    }

    private static QueueWaitEstimator Warm(int capacity, double stepSeconds, int stepsPerSequence)
    {
        var estimator = new QueueWaitEstimator(capacity);
        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(stepSeconds));
        estimator.RecordDeparture(stepsPerSequence);
        return estimator;
    }
}
