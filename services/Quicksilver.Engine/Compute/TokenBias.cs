using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute;

/// <summary>
/// One entry of OpenAI's <c>logit_bias</c>: <paramref name="Bias"/> is added to token <paramref name="Token"/>'s logit
/// before the token is drawn. Mirrored by <c>TokenBias</c> in <c>kernels/logit_bias.cu</c> (8 bytes).
/// </summary>
/// <param name="Token">A token id of the model's vocabulary.</param>
/// <param name="Bias">The logit offset, in [−100, 100] (−100 in effect bans the token, +100 forces it).</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct TokenBias(int Token, float Bias)
{
    /// <summary>The largest magnitude of a bias (OpenAI's range).</summary>
    public const float Limit = 100f;

    /// <summary>
    /// The bias that bans a token outright (a constraint's, never a client's): far below any logit a row holds, and
    /// than a Gumbel draw at any temperature OpenAI allows can lift a token by, yet finite, so the softmax and the
    /// entropy of the row stay defined.
    /// </summary>
    public const float Ban = -10_000f;
}
