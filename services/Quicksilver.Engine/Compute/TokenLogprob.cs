using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute;

/// <summary>
/// A token and its log-probability at one position: one of the alternatives OpenAI's <c>top_logprobs</c> lists
/// (<see cref="IComputeBackend.TopLogprobs"/>). Mirrored by <c>TokenLogprob</c> in <c>kernels/top_logprobs.cu</c> (8 bytes).
/// </summary>
/// <param name="Token">A token id of the model's vocabulary.</param>
/// <param name="LogProbability"><c>log p(Token)</c> under the position's <c>softmax(logits)</c>, as <see cref="TokenScore.LogProbability"/>.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct TokenLogprob(int Token, float LogProbability)
{
    /// <summary>The most alternatives a position may list (OpenAI's bound on <c>top_logprobs</c>).</summary>
    public const int MaxAlternatives = 20;
}
