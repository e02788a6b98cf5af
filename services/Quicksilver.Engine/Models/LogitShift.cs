namespace Quicksilver.Engine.Models;

/// <summary>
/// Which canvas row's hidden state scores a position. Unshifted models (LLaDA) score position i from row i; models
/// with shifted logits (Dream, <see cref="ModelConfig.ShiftLogits"/>) score it from row i − 1, as an autoregressive
/// model does (Dream's <c>logits = cat([logits[:, :1], logits[:, :-1]])</c>: position 0 keeps its own row).
/// </summary>
internal static class LogitShift
{
    /// <summary>The canvas row whose hidden state scores <paramref name="position"/>.</summary>
    public static int ScoreRow(int position, bool shiftLogits) => shiftLogits ? Math.Max(position - 1, 0) : position;
}
