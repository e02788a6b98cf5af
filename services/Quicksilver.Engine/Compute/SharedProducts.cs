namespace Quicksilver.Engine.Compute;

/// <summary>The argument check of <see cref="IComputeBackend.MatMulShared"/>, common to every backend.</summary>
internal static class SharedProducts
{
    /// <summary>Throws unless there is at least one product and one bias slot and one output per weight.</summary>
    public static void Check(int weights, int biases, int outputs)
    {
        if (weights == 0 || biases != weights || outputs != weights)
        {
            throw new ArgumentException($"MatMulShared needs one bias slot and one output per weight: {weights} weights, {biases} biases, {outputs} outputs.", nameof(weights));
        }
    }
}
