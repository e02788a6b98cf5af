using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>The expected queue wait from its moving averages: fed by hand, no clock involved.</summary>
public sealed class QueueWaitEstimatorTests
{
    /// <summary>The canvas of every sequence unless a test says otherwise: steps are learnt and expected at the same length.</summary>
    private const int Canvas = 10;

    [Fact]
    public void Estimate_ColdStart_IsNullUntilASaturatedStepAndTheStepsOfASequenceWereSeen()
    {
        var estimator = new QueueWaitEstimator(capacity: 1);
        Assert.Null(estimator.Estimate(ahead: 100, running: 1, Canvas));

        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(1), batchSize: 1, canvasTokens: 1 * Canvas);
        Assert.Null(estimator.Estimate(ahead: 100, running: 1, Canvas));

        estimator.RecordDeparture(8);
        Assert.NotNull(estimator.Estimate(ahead: 100, running: 1, Canvas));
    }

    [Fact]
    public void Estimate_DeparturesOnly_IsNull()
    {
        var estimator = new QueueWaitEstimator(capacity: 1);
        estimator.RecordDeparture(8);

        Assert.Null(estimator.Estimate(ahead: 100, running: 1, Canvas));
    }

    [Fact]
    public void Estimate_BeforeAnySequenceLeft_UsesThePlannedStepsOfThoseThatJoined()
    {
        // Capacity 4, full; 3 ahead: 4 must leave. Joined with 8 and 16 planned steps: 8 + 0.1 × 8 = 8.8 steps each.
        var estimator = new QueueWaitEstimator(capacity: 4);
        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(0.1), batchSize: 4, canvasTokens: 4 * Canvas);
        estimator.RecordJoin(8);
        estimator.RecordJoin(16);
        Assert.Equal(4 * 8.8 / 4 * 0.1, estimator.Estimate(ahead: 3, running: 4, Canvas)!.Value.TotalSeconds, 9);

        // Once a sequence has left, the steps actually taken (an early end) replace the plan.
        estimator.RecordDeparture(4);
        Assert.Equal(4 * 4.0 / 4 * 0.1, estimator.Estimate(ahead: 3, running: 4, Canvas)!.Value.TotalSeconds, 9);
    }

    [Fact]
    public void Estimate_ColdWithAPlaceFree_IsZero()
    {
        var estimator = new QueueWaitEstimator(capacity: 4);

        Assert.Equal(TimeSpan.Zero, estimator.Estimate(ahead: 1, running: 2, Canvas));
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

        Assert.Equal(TimeSpan.Zero, estimator.Estimate(ahead, running, Canvas));
    }

    [Theory]
    [InlineData(4, 0, 0.2)] // one of 4 sequences must leave: a full batch of 4 loses 4/8 per step → 2 steps
    [InlineData(4, 3, 0.8)] // 4 must leave → 8 steps
    [InlineData(0, 7, 0.8)] // idle engine, 7 ahead: 4 of them fill the batch, then 4 must leave
    [InlineData(2, 5, 0.8)] // 2 places free: taken by the first 2 ahead; 4 must leave
    public void Estimate_RequestsAhead_IsDeparturesTimesStepsPerSequenceOverCapacityTimesStepTime(int running, int ahead, double seconds)
    {
        QueueWaitEstimator estimator = Warm(capacity: 4, stepSeconds: 0.1, stepsPerSequence: 8);

        Assert.Equal(seconds, estimator.Estimate(ahead, running, Canvas)!.Value.TotalSeconds, 9);
    }

    [Theory]
    [InlineData(150, 15.0)]  // the plans allow fewer steps than the averages expect: they bound the wait
    [InlineData(400, 40.0)]  // exactly the averages' expectation
    [InlineData(1000, 40.0)] // the averages expect less: early ends count
    public void Estimate_StepsThePlansAllow_BoundTheAverages(long stepsAllowed, double seconds)
    {
        QueueWaitEstimator estimator = Warm(capacity: 1, stepSeconds: 0.1, stepsPerSequence: 400);

        Assert.Equal(seconds, estimator.Estimate(ahead: 0, running: 1, Canvas, stepsAllowed)!.Value.TotalSeconds, 9);
    }

    [Theory]
    [InlineData(80, 8.0)]  // no running sequence can leave for 80 steps: the averages' 4 steps are too few
    [InlineData(2, 0.4)]   // the averages expect more
    public void Estimate_FewestStepsBeforeAPlaceFrees_RaiseTheAverages(int stepsAtLeast, double seconds)
    {
        QueueWaitEstimator estimator = Warm(capacity: 1, stepSeconds: 0.1, stepsPerSequence: 4);

        Assert.Equal(seconds, estimator.Estimate(ahead: 0, running: 1, Canvas, stepsAllowed: 100, stepsAtLeast)!.Value.TotalSeconds, 9);
    }

    [Fact]
    public void Estimate_StepsAllowedOverAFullBatch_AreSharedByItsSequences()
    {
        // Capacity 4, 3 ahead: 4 must leave, 4 × 8 = 32 steps expected; the plans allow 20 steps over 4 sequences: 5 steps.
        QueueWaitEstimator estimator = Warm(capacity: 4, stepSeconds: 0.1, stepsPerSequence: 8);

        Assert.Equal(0.5, estimator.Estimate(ahead: 3, running: 4, Canvas, stepsAllowed: 20)!.Value.TotalSeconds, 9);
    }

    [Theory]
    [InlineData(10, 0.8)]   // the canvases the steps were learnt on
    [InlineData(130, 10.4)] // 13 times longer canvases: 13 times longer steps
    [InlineData(5, 0.8)]    // shorter ones: no faster than any step seen, as nothing says how much of a step they save
    public void Estimate_StepsAllOfOneSize_TakeLongerCanvasesToStepProportionallySlower(double canvasPerSequence, double seconds)
    {
        // Capacity 4, full, 3 ahead: 4 must leave → 8 steps, each 0.1 s on canvases of 10 tokens.
        QueueWaitEstimator estimator = Warm(capacity: 4, stepSeconds: 0.1, stepsPerSequence: 8);

        Assert.Equal(seconds, estimator.Estimate(ahead: 3, running: 4, canvasPerSequence)!.Value.TotalSeconds, 9);
    }

    [Theory]
    [InlineData(0.1, 0.1, 0.1)]  // steps as long whatever their tokens (a GPU reading its weights): no scaling
    [InlineData(0.1, 1.0, 1.3)]  // steps in proportion to their tokens (a CPU): 13 times the tokens of the short ones
    [InlineData(0.1, 0.55, 0.7)] // 0.05 s plus 1.25 ms a token
    public void Estimate_StepsOfSeveralSizes_FollowTheLineThroughThem(double shortStep, double longStep, double stepSeconds)
    {
        QueueWaitEstimator estimator = TwoSizes(shortStep, longStep);

        // One must leave the full batch of 4, one step each: a quarter of a step on canvases of 130 (520 tokens).
        Assert.Equal(0.25 * stepSeconds, estimator.Estimate(ahead: 0, running: 4, canvasPerSequence: 130)!.Value.TotalSeconds, 6); // TimeSpan's 100 ns
    }

    [Fact]
    public void Estimate_LineSteeperThanProportional_IsCutToProportional()
    {
        // 0.1 s for 40 tokens, 5 s for 400: the line would give short steps negative time; steps are taken in proportion.
        QueueWaitEstimator estimator = TwoSizes(0.1, 5.0);

        double shortWait = estimator.Estimate(ahead: 0, running: 4, canvasPerSequence: 10)!.Value.TotalSeconds;
        Assert.Equal(13 * shortWait, estimator.Estimate(ahead: 0, running: 4, canvasPerSequence: 130)!.Value.TotalSeconds, 5);
    }

    [Fact]
    public void Estimate_LongerStepsForFewerTokens_TakesEveryStepAsTheAverage()
    {
        QueueWaitEstimator estimator = TwoSizes(0.3, 0.1);

        double shortWait = estimator.Estimate(ahead: 0, running: 4, canvasPerSequence: 10)!.Value.TotalSeconds;
        Assert.InRange(shortWait, 0.25 * 0.1, 0.25 * 0.3);
        Assert.Equal(shortWait, estimator.Estimate(ahead: 0, running: 4, canvasPerSequence: 130)!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void Estimate_SlopeFittedOnce_IsKeptWhenTheStepsSettleAtOneSize()
    {
        // Steps as long whatever their tokens (slope none), then two hundred steps of one size: a longer canvas is
        // still expected to step as fast, not as many times slower as it has more tokens.
        QueueWaitEstimator estimator = TwoSizes(0.1, 0.1);
        for (int i = 0; i < 200; i++)
        {
            estimator.RecordSaturatedStep(TimeSpan.FromSeconds(0.1), batchSize: 4, canvasTokens: 4 * 10);
        }

        Assert.Equal(0.25 * 0.1, estimator.Estimate(ahead: 0, running: 4, canvasPerSequence: 130)!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void Estimate_StepsSpreadLessThanTheLineNeeds_TakeLongerCanvasesProportionallySlower()
    {
        // Batches of 4 canvases of 10 and 11 tokens, 0.1 s each: a spread of 5 % says nothing about a slope.
        var estimator = new QueueWaitEstimator(capacity: 4);
        for (int i = 0; i < 20; i++)
        {
            estimator.RecordSaturatedStep(TimeSpan.FromSeconds(0.1), batchSize: 4, canvasTokens: 40);
            estimator.RecordSaturatedStep(TimeSpan.FromSeconds(0.1), batchSize: 4, canvasTokens: 44);
        }

        estimator.RecordDeparture(1);

        double wait = estimator.Estimate(ahead: 0, running: 4, canvasPerSequence: 105)!.Value.TotalSeconds;
        Assert.InRange(wait, 0.25 * 0.1 * 420 / 44, 0.25 * 0.1 * 420 / 40); // ten times the tokens of the steps seen
    }

    [Fact]
    public void Estimate_StepsOfSmallerBatches_AreLearntPerCanvasToken()
    {
        // Capacity 4, but the token budget let only 2 sequences of 10 tokens step at once, in 0.05 s: 0.0025 s a token.
        // 4 must leave, 8 steps each, 2 at a time: 16 steps of 2 × 10 tokens.
        var estimator = new QueueWaitEstimator(capacity: 4);
        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(0.05), batchSize: 2, canvasTokens: 2 * Canvas);
        estimator.RecordDeparture(8);

        Assert.Equal(16 * 0.05, estimator.Estimate(ahead: 3, running: 4, Canvas)!.Value.TotalSeconds, 9);
    }

    [Fact]
    public void RecordSaturatedStep_MovingAverage_WeighsTheNewestSampleBySmoothing()
    {
        var estimator = new QueueWaitEstimator(capacity: 1);
        estimator.RecordDeparture(1);
        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(0.1), batchSize: 1, canvasTokens: 1 * Canvas);
        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(0.2), batchSize: 1, canvasTokens: 1 * Canvas);

        // Capacity 1, one running, none ahead, one step per sequence: the wait is one step time.
        Assert.Equal(0.1 + (QueueWaitEstimator.Smoothing * 0.1), estimator.Estimate(ahead: 0, running: 1, Canvas)!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void RecordDeparture_MovingAverage_WeighsTheNewestSampleBySmoothing()
    {
        var estimator = new QueueWaitEstimator(capacity: 1);
        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(1), batchSize: 1, canvasTokens: 1 * Canvas);
        estimator.RecordDeparture(10);
        estimator.RecordDeparture(20);

        Assert.Equal(10 + (QueueWaitEstimator.Smoothing * 10), estimator.Estimate(ahead: 0, running: 1, Canvas)!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void Estimate_ManySamples_ForgetsTheOldLoad()
    {
        QueueWaitEstimator estimator = Warm(capacity: 1, stepSeconds: 10, stepsPerSequence: 1);
        for (int i = 0; i < 100; i++)
        {
            estimator.RecordSaturatedStep(TimeSpan.FromSeconds(0.01), batchSize: 1, canvasTokens: 1 * Canvas);
        }

        Assert.InRange(estimator.Estimate(ahead: 0, running: 1, Canvas)!.Value.TotalSeconds, 0.01, 0.011);
    }

    /// <summary>Full batches of 4 canvases of 10 and of 100 tokens, alternately, taking the given steps; one step per sequence.</summary>
    private static QueueWaitEstimator TwoSizes(double shortStep, double longStep)
    {
        var estimator = new QueueWaitEstimator(capacity: 4);
        for (int i = 0; i < 20; i++)
        {
            estimator.RecordSaturatedStep(TimeSpan.FromSeconds(shortStep), batchSize: 4, canvasTokens: 4 * 10);
            estimator.RecordSaturatedStep(TimeSpan.FromSeconds(longStep), batchSize: 4, canvasTokens: 4 * 100);
        }

        estimator.RecordDeparture(1);
        return estimator;
    }

    private static QueueWaitEstimator Warm(int capacity, double stepSeconds, int stepsPerSequence)
    {
        var estimator = new QueueWaitEstimator(capacity);
        estimator.RecordSaturatedStep(TimeSpan.FromSeconds(stepSeconds), batchSize: capacity, canvasTokens: capacity * Canvas);
        estimator.RecordDeparture(stepsPerSequence);
        return estimator;
    }
}
