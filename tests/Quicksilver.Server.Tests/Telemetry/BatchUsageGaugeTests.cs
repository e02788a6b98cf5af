using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Server.Telemetry.Tests;

public sealed class BatchUsageGaugeTests
{
    private static readonly EngineOptions Limits = new() { MaxActiveSequences = 32, MaxTokensPerStep = 1000 };

    [Theory]
    [InlineData(0, 0, 0.0)]
    [InlineData(8, 100, 0.25)]
    [InlineData(2, 500, 0.5)]
    [InlineData(1, 4000, 1.0)]
    public void Usage_Load_IsTheFullerOfSequencesAndTokensCappedAtOne(int running, int tokensInFlight, double expected)
    {
        double usage = BatchUsageGauge.Usage(new EngineLoad(Waiting: 3, running, tokensInFlight, Draining: false), Limits);

        Assert.Equal(expected, usage, 1e-12);
    }
}
