using Quicksilver.LoadTest.Arrivals;

namespace Quicksilver.LoadTest.Tests.Arrivals;

public class ArrivalScheduleTests
{
    [Fact]
    public void Same_seed_gives_the_same_schedule_and_another_seed_a_different_one()
    {
        Assert.Equal(ArrivalSchedule.Gamma(5, 0.5, 60, seed: 7), ArrivalSchedule.Gamma(5, 0.5, 60, seed: 7));
        Assert.Equal(ArrivalSchedule.Ramp(1, 9, 60, seed: 7), ArrivalSchedule.Ramp(1, 9, 60, seed: 7));
        Assert.NotEqual(ArrivalSchedule.Poisson(5, 60, seed: 7), ArrivalSchedule.Poisson(5, 60, seed: 8));
    }

    [Fact]
    public void Poisson_keeps_its_mean_rate_and_exponential_gaps()
    {
        double[] times = ArrivalSchedule.Poisson(rate: 20, durationSeconds: 1000, seed: 1);
        // 20 000 expected; the count's standard deviation is √20000 ≈ 141, so ±2 % is > 2.8 σ.
        Assert.InRange(times.Length, 19_600, 20_400);
        (double mean, double cv) = MeanAndCv(Gaps(times));
        Assert.InRange(mean, 0.049, 0.051);
        Assert.InRange(cv, 0.97, 1.03);
        Assert.True(times.Zip(times.Skip(1)).All(p => p.First <= p.Second) && times[^1] < 1000);
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(4)]
    public void Gamma_gaps_have_mean_one_over_rate_and_cv_one_over_root_k(double shape)
    {
        double[] gaps = Gaps(ArrivalSchedule.Gamma(rate: 10, shape, durationSeconds: 5000, seed: 3));
        (double mean, double cv) = MeanAndCv(gaps);
        Assert.InRange(mean, 0.1 * 0.97, 0.1 * 1.03);
        Assert.InRange(cv, 0.95 / Math.Sqrt(shape), 1.05 / Math.Sqrt(shape));
    }

    [Fact]
    public void Ramp_rate_interpolates_linearly()
    {
        // λ(t) = 10 + 0.4 t on [0, 100]: Λ(t) = 10 t + 0.2 t². The first half expects Λ(50) = 500 + 500 = 1000
        // arrivals, the second Λ(100) − Λ(50) = 3000 − 1000 = 2000, the last tenth Λ(100) − Λ(90) = 3000 − 2520 = 480.
        double[][] runs = [.. Enumerable.Range(0, 20).Select(seed => ArrivalSchedule.Ramp(10, 50, 100, seed))];
        Assert.InRange(runs.Average(t => t.Count(x => x < 50)), 1000 * 0.98, 1000 * 1.02);
        Assert.InRange(runs.Average(t => t.Count(x => x >= 50)), 2000 * 0.98, 2000 * 1.02);
        Assert.InRange(runs.Average(t => t.Count(x => x >= 90)), 480 * 0.97, 480 * 1.03);
        // A flat ramp is a Poisson process at that rate; a falling one has most arrivals early.
        Assert.InRange(ArrivalSchedule.Ramp(20, 20, 1000, 1).Length, 19_600, 20_400);
        double[] falling = ArrivalSchedule.Ramp(50, 10, 100, 1);
        Assert.True(falling.Count(x => x < 50) > 1.4 * falling.Count(x => x >= 50));
    }

    private static double[] Gaps(double[] times) => [.. times.Zip(times.Skip(1), (a, b) => b - a)];

    private static (double Mean, double Cv) MeanAndCv(double[] values)
    {
        double mean = values.Average();
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        return (mean, sd / mean);
    }
}
