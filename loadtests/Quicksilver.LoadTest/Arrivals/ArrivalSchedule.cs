namespace Quicksilver.LoadTest.Arrivals;

/// <summary>
/// Open-loop arrival times (seconds from the start of a run), deterministic for a given seed. Poisson: exponential
/// gaps with mean 1/rate. Gamma: gaps drawn from Gamma(shape k, scale 1/(k·rate)), so the mean rate is the same and
/// the gaps' coefficient of variation is 1/√k (k &lt; 1 burstier than Poisson, k &gt; 1 smoother, k = 1 Poisson).
/// Ramp: a Poisson process whose rate goes linearly from one rate to another over the duration.
/// </summary>
internal static class ArrivalSchedule
{
    public static double[] Poisson(double rate, double durationSeconds, int seed) => Gamma(rate, shape: 1, durationSeconds, seed);

    public static double[] Gamma(double rate, double shape, double durationSeconds, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shape);
        var random = new Random(seed);
        double scale = 1 / (shape * rate);
        var times = new List<double>();
        for (double t = SampleGamma(random, shape) * scale; t < durationSeconds; t += SampleGamma(random, shape) * scale)
        {
            times.Add(t);
        }

        return [.. times];
    }

    /// <summary>
    /// A Poisson process with rate λ(t) = from + (to − from)·t/T: unit-mean exponential steps in the cumulative intensity
    /// Λ(t) = from·t + (to − from)·t²/(2T), each mapped back to a time by solving the quadratic.
    /// </summary>
    public static double[] Ramp(double fromRate, double toRate, double durationSeconds, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromRate);
        ArgumentOutOfRangeException.ThrowIfNegative(toRate);
        var random = new Random(seed);
        double a = (toRate - fromRate) / (2 * durationSeconds);
        var times = new List<double>();
        double cumulative = 0;
        while (true)
        {
            cumulative += -Math.Log(1 - random.NextDouble());
            double discriminant = (fromRate * fromRate) + (4 * a * cumulative);
            double t = Math.Abs(a) < 1e-12 ? cumulative / fromRate : (-fromRate + Math.Sqrt(discriminant)) / (2 * a);
            if (double.IsNaN(t) || double.IsInfinity(t) || discriminant < 0 || t >= durationSeconds)
            {
                return [.. times];
            }

            times.Add(t);
        }
    }

    /// <summary>Marsaglia and Tsang's method (2000); shape &lt; 1 through the boost Gamma(k) = Gamma(k + 1)·U^(1/k).</summary>
    internal static double SampleGamma(Random random, double shape)
    {
        if (shape < 1)
        {
            return SampleGamma(random, shape + 1) * Math.Pow(random.NextDouble(), 1 / shape);
        }

        double d = shape - (1.0 / 3);
        double c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x;
            double v;
            do
            {
                x = SampleNormal(random);
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            double u = random.NextDouble();
            if (u < 1 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    private static double SampleNormal(Random random)
    {
        double u1 = 1 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
