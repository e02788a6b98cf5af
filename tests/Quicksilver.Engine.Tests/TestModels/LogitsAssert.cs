namespace Quicksilver.Engine.Tests.TestModels;

/// <summary>Compares a row of logits with a reference row: relative L2 error, and the largest error against the largest logit.</summary>
internal static class LogitsAssert
{
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double relativeL2Tolerance, double maxAbsoluteFraction, string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        double errorSquared = 0, referenceSquared = 0, maxAbs = 0, maxError = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = actual[i] - expected[i];
            errorSquared += e * e;
            referenceSquared += expected[i] * expected[i];
            maxAbs = Math.Max(maxAbs, Math.Abs(expected[i]));
            maxError = Math.Max(maxError, Math.Abs(e));
        }

        double relative = Math.Sqrt(errorSquared / referenceSquared);
        Assert.True(relative < relativeL2Tolerance, $"{label}: relative L2 error {relative:E2} ≥ {relativeL2Tolerance:E0}");
        Assert.True(maxError <= maxAbsoluteFraction * maxAbs, $"{label}: max error {maxError:E2} > {maxAbsoluteFraction:E0} × {maxAbs:E2}");
    }
}
