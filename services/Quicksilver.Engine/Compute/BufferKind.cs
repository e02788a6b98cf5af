namespace Quicksilver.Engine.Compute;

/// <summary>What a buffer holds, so a backend can pick its precision (CUDA keeps activations in bf16, logits in fp32).</summary>
public enum BufferKind
{
    /// <summary>Hidden states and intermediate activations.</summary>
    Activation,

    /// <summary>LM-head output read by <see cref="IComputeBackend.ScoreLogits"/>.</summary>
    Logits,
}
