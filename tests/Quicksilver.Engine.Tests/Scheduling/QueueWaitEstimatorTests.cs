using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>The expected queue wait from its moving averages: fed by hand, no clock involved.</summary>
public sealed class QueueWaitEstimatorTests
{
    [Fact]
    public void Estimate_ColdStart_IsNullUntilAStepAndADepartureWereSeen()
    {
        var estimator = new QueueWaitEstimator(capacity: 1);
        Assert.Null(estimator.Estimate(ahead: 100, running: 1));

        estimator.RecordStep(TimeSpan.FromSeconds(1));
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
    public void Estimate_BatchHeldBelowCapacity_DrainsSlowerThanAFullOne()
    {
        // Capacity 8, but every step ran 4 sequences (a token budget held the batch): sequences leave at
        // 4 / 8 per step, not 8 / 8; ten departures needed take 10 × 8 / 4 × 0.1 s = 2 s.
        var estimator = new QueueWaitEstimator(capacity: 8);
        estimator.RecordStep(TimeSpan.FromSeconds(0.1), batchSize: 4);
        estimator.RecordDeparture(8);

        Assert.Equal(TimeSpan.FromSeconds(2), estimator.Estimate(ahead: 9, running: 8));
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

    [Fact]
    public void RecordStep_MovingAverage_WeighsTheNewestSampleBySmoothing()
    {
        var estimator = new QueueWaitEstimator(capacity: 1);
        estimator.RecordDeparture(1);
        estimator.RecordStep(TimeSpan.FromSeconds(0.1));
        estimator.RecordStep(TimeSpan.FromSeconds(0.2));

        // Capacity 1, one running, none ahead, one step per sequence: the wait is one step time.
        Assert.Equal(0.1 + (QueueWaitEstimator.Smoothing * 0.1), estimator.Estimate(ahead: 0, running: 1)!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void RecordDeparture_MovingAverage_WeighsTheNewestSampleBySmoothing()
    {
        var estimator = new QueueWaitEstimator(capacity: 1);
        estimator.RecordStep(TimeSpan.FromSeconds(1));
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
            estimator.RecordStep(TimeSpan.FromSeconds(0.01));
        }

        Assert.InRange(estimator.Estimate(ahead: 0, running: 1)!.Value.TotalSeconds, 0.01, 0.011);
    }

    private static QueueWaitEstimator Warm(int capacity, double stepSeconds, int stepsPerSequence)
    {
        var estimator = new QueueWaitEstimator(capacity);
        estimator.RecordStep(TimeSpan.FromSeconds(stepSeconds));
        estimator.RecordDeparture(stepsPerSequence);
        return estimator;
    }
}
