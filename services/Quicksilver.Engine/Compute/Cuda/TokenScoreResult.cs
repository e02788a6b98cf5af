using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>Mirror of <c>TokenScoreResult</c> in <c>kernels/token_score.cuh</c> (20 bytes): one row's scores, written by <c>lm_head_epilogue.cu</c>, read by <c>select_commits.cu</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TokenScoreResult
{
    /// <summary>Chosen token id.</summary>
    public int Token;

    /// <summary>p(token).</summary>
    public float Probability;

    /// <summary>log p(token).</summary>
    public float LogProbability;

    /// <summary>p(top-1) − p(top-2).</summary>
    public float Margin;

    /// <summary>Σ p log p.</summary>
    public float NegativeEntropy;

    public readonly TokenScore ToScore() => new(Token, Probability, LogProbability, Margin, NegativeEntropy);
}
