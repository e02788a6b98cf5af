using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// One denoising step of a batch of sequences, in its three parts: each sequence's forward input
/// (<see cref="Prepare"/>), the forward pass with commit selection (<see cref="Select"/>), and each sequence's commit
/// (<see cref="Commit"/>). The step loop and the warm-up at load both step through it.
/// </summary>
internal sealed class DenoisingBatch
{
    private readonly IReadOnlyList<DenoisingSequence> _sequences;
    private readonly int[] _offsets;
    private readonly CommittedToken[] _committed;
    private readonly int[] _counts;
    private TokenLogprob[][] _alternatives = [];

    private DenoisingBatch(IReadOnlyList<DenoisingSequence> sequences, ForwardSequence[] inputs)
    {
        _sequences = sequences;
        Inputs = inputs;
        _offsets = new int[inputs.Length];
        int scored = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            _offsets[i] = scored;
            scored += inputs[i].ScorePositions.Count;
        }

        _committed = new CommittedToken[scored];
        _counts = new int[inputs.Length];
    }

    /// <summary>Each sequence's forward input, in batch order.</summary>
    public ForwardSequence[] Inputs { get; }

    /// <summary>The next step of <paramref name="sequences"/>, each with its K/V cache (<paramref name="cacheOf"/>, null for none).</summary>
    public static DenoisingBatch Prepare(IReadOnlyList<DenoisingSequence> sequences, Func<int, IKvCache?> cacheOf) =>
        new(sequences, [.. sequences.Select((s, i) => s.NextStep(cacheOf(i)))]);

    /// <summary>Runs the forward pass and selects every sequence's commits by its policy (with their alternatives, where asked).</summary>
    public void Select(DiffusionTransformer model)
    {
        CommitPolicy[] policies = [.. _sequences.Select(s => s.CommitPolicy)];
        _alternatives = model.ForwardAndSelect(Inputs, policies, _committed, _counts);
    }

    /// <summary>Commits sequence <paramref name="index"/>'s selected tokens; returns the block it finalised, if any.</summary>
    public IReadOnlyList<int>? Commit(int index) =>
        _sequences[index].Commit(Inputs[index], _committed.AsSpan(_offsets[index], _counts[index]), _alternatives[index]);
}
