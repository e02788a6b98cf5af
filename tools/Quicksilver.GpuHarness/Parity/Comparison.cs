using Quicksilver.GpuHarness.Json;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>Compares a CUDA output with the CPU reference under a <see cref="Tolerance"/>.</summary>
internal static class Comparison
{
    public static ParityMetric Compare(string label, ReadOnlySpan<float> reference, ReadOnlySpan<float> actual, Tolerance tolerance)
    {
        if (reference.Length != actual.Length)
        {
            return new ParityMetric(label, tolerance.DType, reference.Length, double.NaN, double.NaN, double.NaN, reference.Length, tolerance.RelativeL2, tolerance.Absolute, tolerance.Relative, false, $"length {actual.Length}, expected {reference.Length}");
        }

        double err2 = 0, ref2 = 0, maxErr = 0, maxRef = 0;
        long violations = 0;
        string? first = null;
        for (int i = 0; i < reference.Length; i++)
        {
            double r = reference[i], a = actual[i];
            double d = Math.Abs(a - r);
            if (double.IsNaN(d))
            {
                d = double.PositiveInfinity;
            }

            err2 += d * d;
            ref2 += r * r;
            maxErr = Math.Max(maxErr, d);
            maxRef = Math.Max(maxRef, Math.Abs(r));
            if (!(d <= tolerance.Absolute + (tolerance.Relative * Math.Abs(r))))
            {
                violations++;
                first ??= $"index {i}: ref {r:G9}, cuda {a:G9}";
            }
        }

        double rel = ref2 > 0 ? Math.Sqrt(err2 / ref2) : Math.Sqrt(err2);
        bool passed = violations == 0 && rel <= tolerance.RelativeL2;
        return new ParityMetric(label, tolerance.DType, reference.Length, rel, maxErr, maxRef, violations, tolerance.RelativeL2, tolerance.Absolute, tolerance.Relative, passed, first);
    }

    /// <summary>A metric for a count of disagreements (token choices): passes when zero.</summary>
    public static ParityMetric Count(string label, long elements, long mismatches, string? first) =>
        new(label, "int", elements, 0, mismatches, 0, mismatches, 0, 0, 0, mismatches == 0, first);
}
