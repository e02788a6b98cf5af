namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// Progress of one sequence, emitted each time a block of the canvas is finalised. <see cref="Tokens"/> are the
/// newly final answer tokens in order, already cut before the first end-of-sequence token.
/// The last update of a finished sequence has <see cref="Finish"/> set. A sequence that leaves the step loop
/// unfinished (cancelled, failed, engine stopped) gets a last <see cref="IsSettlement"/> update instead, just before
/// its enumeration ends with the exception.
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

    /// <summary>
    /// With <see cref="GenerationRequest.TopLogprobs"/>, the most likely tokens at each of <see cref="Tokens"/>' positions
    /// (one list per token, most likely first, the mask token never listed) under the same distribution as
    /// <see cref="LogProbabilities"/>; otherwise empty.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<Compute.TokenLogprob>> TopLogprobs { get; init; } = [];

    /// <summary>
    /// Device seconds attributed to the sequence so far, the step that produced this update included (cumulative:
    /// each step's wall time is shared among its batch by the tokens each sequence fed the forward pass). On a
    /// sequence's last update it is the total metered to its tenant.
    /// </summary>
    public double GpuSeconds { get; init; }

    /// <summary>
    /// On the last update of a <see cref="FinishReason.Stop"/>: whether the answer ended at an end token the model wrote
    /// (cut from <see cref="Tokens"/>), rather than where its <see cref="GenerationRequest.Constraint"/> was complete.
    /// </summary>
    public bool EndedAtEndToken { get; init; }

    /// <summary>
    /// Whether this is the closing update of a sequence that left the step loop unfinished: no tokens and no finish,
    /// only the settled <see cref="GpuSeconds"/>. (An update that finalises a block always has a token or a finish.)
    /// </summary>
    public bool IsSettlement => Finish is null && Tokens.Count == 0;

    /// <summary>The closing update of a sequence that leaves the step loop unfinished.</summary>
    internal static GenerationUpdate Settlement(int steps, double gpuSeconds) => new([], null, steps) { GpuSeconds = gpuSeconds };
}
