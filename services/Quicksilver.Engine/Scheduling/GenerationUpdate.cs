namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// Progress of one sequence, emitted each time a block of the canvas is finalised. <see cref="Tokens"/> are the
/// newly final answer tokens in order, already cut before the first end-of-sequence token.
/// The last update of a sequence has <see cref="Finish"/> set.
/// </summary>
/// <param name="Tokens">Newly finalised answer tokens (may be empty on the last update).</param>
/// <param name="Finish">Set on the last update only.</param>
/// <param name="Steps">Denoising steps (forward passes) this sequence has taken so far.</param>
public sealed record GenerationUpdate(IReadOnlyList<int> Tokens, FinishReason? Finish, int Steps)
{
    /// <summary>
    /// <c>log p</c> of each of <see cref="Tokens"/> under the model's un-noised distribution at the step that
    /// committed it (a diffusion model scores a token once, when it is unmasked; later steps never revisit it).
    /// </summary>
    public IReadOnlyList<float> LogProbabilities { get; init; } = [];
}
