namespace Quicksilver.Engine.Decoding;

/// <summary>
/// Dream's timestep schedule (<c>generation_utils.py</c> <c>_sample</c>): <c>timesteps = linspace(1, eps, steps + 1)</c>;
/// step i runs from <c>t = ts[i]</c> to <c>s = ts[i + 1]</c>, and a mask left before it stays masked after it with
/// probability <c>s/t</c> (<see cref="KeepProbabilities"/>), all but on the last step, which reveals whatever remains.
/// <c>origin</c> reveals each mask independently with probability <c>1 − s/t</c>; <c>maskgit_plus</c>,
/// <c>topk_margin</c> and <c>entropy</c> commit <c>int(n · (1 − s/t))</c> of the n masks left (<see cref="Counts"/>).
/// With <c>eps</c> near 0 that is about <c>n / (steps − i)</c>, rounded down, so counts grow toward the end and the
/// first step commits nothing when there are as many steps as masks. Computed in fp32 like the reference (PyTorch's
/// default dtype, <c>torch.linspace</c>'s two-sided formula).
/// </summary>
internal static class DreamTimestepSchedule
{
    /// <summary>
    /// <c>s/t</c> of each of <paramref name="steps"/> steps, and 0 for the last: the probability that a mask left before
    /// the step is still masked after it.
    /// </summary>
    /// <param name="steps">Steps of the schedule (≥ 1).</param>
    /// <param name="eps">The final timestep, in (0, 1); rounded to fp32 as <c>torch.linspace</c> does.</param>
    public static float[] KeepProbabilities(int steps, double eps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        float[] timesteps = Linspace(1f, (float)eps, steps + 1);
        var keep = new float[steps];
        for (int i = 0; i < steps - 1; i++)
        {
            keep[i] = timesteps[i + 1] / timesteps[i];
        }

        return keep;
    }

    /// <summary>How many of <paramref name="maskedCount"/> masks each of <paramref name="steps"/> steps commits.</summary>
    /// <param name="maskedCount">Masks before the first step.</param>
    /// <param name="steps">Steps of the schedule (≥ 1).</param>
    /// <param name="eps">The final timestep, in (0, 1).</param>
    public static int[] Counts(int maskedCount, int steps, double eps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maskedCount);
        float[] keep = KeepProbabilities(steps, eps);
        var counts = new int[steps];
        int left = maskedCount;
        for (int i = 0; i < steps; i++)
        {
            // The last step keeps nothing: left · 1 is every mask that remains.
            counts[i] = (int)(left * (1f - keep[i]));
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
