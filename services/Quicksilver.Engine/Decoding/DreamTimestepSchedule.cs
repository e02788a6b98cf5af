namespace Quicksilver.Engine.Decoding;

/// <summary>
/// Dream's commit counts (<c>generation_utils.py</c> <c>_sample</c> for <c>maskgit_plus</c>, <c>topk_margin</c> and
/// <c>entropy</c>): <c>timesteps = linspace(1, eps, steps + 1)</c>; step i, at <c>t = ts[i]</c> and
/// <c>s = ts[i + 1]</c>, commits <c>int(n · (1 − s/t))</c> of the n masks left, and the last step all that remain.
/// With <c>eps</c> near 0 that is about <c>n / (steps − i)</c>, rounded down, so counts grow toward the end and the
/// first step commits nothing when there are as many steps as masks. Computed in fp32 like the reference (PyTorch's
/// default dtype, <c>torch.linspace</c>'s two-sided formula); <c>origin</c>, which reveals each mask with probability
/// <c>1 − s/t</c>, commits these counts in expectation.
/// </summary>
internal static class DreamTimestepSchedule
{
    /// <summary>The final timestep: <c>eps</c> of the Dream-v0 checkpoints' <c>generation_config.json</c>.</summary>
    public const float Eps = 1e-3f;

    /// <summary>How many of <paramref name="maskedCount"/> masks each of <paramref name="steps"/> steps commits.</summary>
    public static int[] Counts(int maskedCount, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maskedCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        float[] timesteps = Linspace(1f, Eps, steps + 1);
        var counts = new int[steps];
        int left = maskedCount;
        for (int i = 0; i < steps; i++)
        {
            counts[i] = i < steps - 1 ? (int)(left * (1f - (timesteps[i + 1] / timesteps[i]))) : left;
            left -= counts[i];
        }

        return counts;
    }

    /// <summary>
    /// <c>torch.linspace</c> in fp32: <c>step = (end − start) / (count − 1)</c>; the first half is
    /// <c>start + step · i</c>, the second <c>end − step · (count − 1 − i)</c>, so both ends are exact.
    /// </summary>
    private static float[] Linspace(float start, float end, int count)
    {
        float step = (end - start) / (count - 1);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = i < count / 2 ? start + (step * i) : end - (step * (count - 1 - i));
        }

        return values;
    }
}
