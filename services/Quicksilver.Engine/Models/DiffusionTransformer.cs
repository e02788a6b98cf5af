using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Models;

/// <summary>
/// The diffusion transformer of LLaDA, Dream, SDAR and Fast-dLLM v2 over a packed batch of canvases of different
/// lengths: <c>h = embed(x)</c>; per block <c>h += attn_out(Attn(RoPE(q), RoPE(k), v))</c> on <c>attn_norm(h)</c> (SDAR
/// first RMS-normalises each head of q and k), then <c>h += down(silu(gate(n)) · up(n))</c> on <c>n = ff_norm(h)</c>;
/// then <c>ln_f</c> and the head (the embedding when tied), applied only to the rows the decoder asked to score
/// (shifted one row left for Dream and Fast-dLLM v2). Attention is bidirectional, or block-causal for block diffusion. A sequence may bring a K/V cache
/// (<see cref="ForwardSequence.Cache"/>): then only its window's rows are computed, against the cached keys and values
/// of the rest of its canvas (Fast-dLLM's prefix and dual caches), in the same batch as sequences without one. The
/// window must hold the rows that score the sequence's positions (<see cref="LogitShift"/>): for Dream, the row
/// before the first.
/// </summary>
public sealed class DiffusionTransformer : IDisposable
{
    private readonly ModelWeights _weights;
    private readonly ForwardWorkspace _workspace;
    private readonly Lock _gate = new();

    /// <summary>Validates the checkpoint against <paramref name="config"/> and makes its weights resident.</summary>
    /// <param name="config">Hyper-parameters from <c>config.json</c>.</param>
    /// <param name="tensors">The checkpoint.</param>
    /// <param name="backend">Where to compute.</param>
    public DiffusionTransformer(ModelConfig config, ITensorSource tensors, IComputeBackend backend)
    {
        Config = config ?? throw new ArgumentNullException(nameof(config));
        Backend = backend ?? throw new ArgumentNullException(nameof(backend));
        ArgumentOutOfRangeException.ThrowIfLessThan(config.LayerCount, 1, nameof(config));
        _weights = ModelWeights.Bind(config, tensors, backend);
        _workspace = new ForwardWorkspace(backend, config);
    }

    /// <summary>The model's hyper-parameters.</summary>
    public ModelConfig Config { get; }

    /// <summary>The backend the model runs on.</summary>
    public IComputeBackend Backend { get; }

    /// <summary>Bytes of the K/V cache of one canvas of <paramref name="canvasLength"/> tokens on this backend.</summary>
    public long KvCacheBytes(int canvasLength) => Backend.KvCacheBytes(Config.LayerCount, canvasLength, KeyValueWidth);

    /// <summary>
    /// Canvas rows the forward pass computes for <paramref name="sequence"/>: its cache window; without a cache the whole
    /// canvas, or, for block-causal attention, the canvas up to the end of the attention block of its last scored row.
    /// </summary>
    public int ComputedTokens(ForwardSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        (int start, int end) = BatchPlan.ComputedRows(sequence, Config);
        return end - start;
    }

    /// <summary>Allocates the K/V cache of one canvas of <paramref name="canvasLength"/> tokens; the caller disposes it.</summary>
    public IKvCache AllocateKvCache(int canvasLength) => Backend.AllocateKvCache(Config.LayerCount, canvasLength, KeyValueWidth);

    /// <summary>
    /// Runs the batch and scores every requested position. <paramref name="results"/> receives one entry per score
    /// position, sequence by sequence in batch order.
    /// </summary>
    public void Forward(IReadOnlyList<ForwardSequence> batch, Span<TokenScore> results)
    {
        lock (_gate)
        {
            int scored = RunToLogits(batch);
            if (results.Length != scored)
            {
                throw new ArgumentException($"The batch scores {scored} positions; results has room for {results.Length}.", nameof(results));
            }

            Backend.ScoreLogits(_workspace.Logits, Sampling(batch, scored), Config.MaskTokenId, results);
        }
    }

    /// <summary>
    /// Runs the batch, scores every requested position and selects each sequence's commits by its policy (one per
    /// sequence) where the scores are, with <see cref="IComputeBackend.ScoreAndSelect"/>: sequence i's <c>counts[i]</c>
    /// commits, in commit order, fill <paramref name="committed"/> from where its scores would start (the earlier
    /// sequences' score positions summed), each naming a row of its <see cref="ForwardSequence.ScorePositions"/>. When a
    /// sequence has more score positions than the backend selects among (<see cref="IComputeBackend.MaxSelectionRows"/>),
    /// or a policy it cannot select by (<see cref="IComputeBackend.CanSelect"/>: <c>origin</c>, <c>alg_temp</c> on CUDA),
    /// the step's scores come to the host and the same selection runs there.
    /// Returns, per sequence, the alternatives at its commits (<see cref="ForwardSequence.TopLogprobs"/> of them each, in
    /// commit order: commit k's at <c>[k · n, (k + 1) · n)</c>), listed by <see cref="IComputeBackend.TopLogprobs"/>;
    /// empty for a sequence that asks for none.
    /// </summary>
    public TokenLogprob[][] ForwardAndSelect(IReadOnlyList<ForwardSequence> batch, ReadOnlySpan<CommitPolicy> policies, Span<CommittedToken> committed, Span<int> counts)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (policies.Length != batch.Count)
        {
            throw new ArgumentException($"{batch.Count} sequences need as many commit policies, not {policies.Length}.", nameof(policies));
        }

        lock (_gate)
        {
            int scored = RunToLogits(batch);
            var positions = new int[scored];
            var offsets = new int[batch.Count + 1];
            int r = 0, widest = 0;
            for (int s = 0; s < batch.Count; s++)
            {
                offsets[s] = r;
                foreach (int position in batch[s].ScorePositions)
                {
                    positions[r++] = position;
                }

                widest = Math.Max(widest, r - offsets[s]);
            }

            offsets[batch.Count] = r;
            RowSampling[] sampling = Sampling(batch, scored);
            if (widest <= (SelectionRowLimit ?? Backend.MaxSelectionRows) && SelectableOnBackend(policies))
            {
                Backend.ScoreAndSelect(_workspace.Logits, sampling, Config.MaskTokenId, positions, offsets, policies, committed, counts);
            }
            else
            {
                var scores = new TokenScore[scored];
                Backend.ScoreLogits(_workspace.Logits, sampling, Config.MaskTokenId, scores);
                CommitSelection.SelectBatch(scores, positions, offsets, policies, committed, counts);
            }

            return ListAlternatives(batch, offsets, committed, counts);
        }
    }

    /// <summary>Stands in for the backend's <see cref="IComputeBackend.MaxSelectionRows"/> when set (tests lower it to take the host fallback).</summary>
    internal int? SelectionRowLimit { get; set; }

    /// <summary>The full logits of every requested position (row-major, one row of <c>VocabSize</c> per position, logit bias added); for tests and parity checks.</summary>
    public float[] ComputeLogits(IReadOnlyList<ForwardSequence> batch)
    {
        lock (_gate)
        {
            int scored = RunToLogits(batch);
            var logits = new float[(long)scored * Config.VocabSize];
            Backend.Download(_workspace.Logits, logits);
            return logits;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _workspace.Dispose();
        _weights.Dispose();
    }

    private int KeyValueWidth => Config.KeyValueHeadCount * Config.HeadDim;

    private bool SelectableOnBackend(ReadOnlySpan<CommitPolicy> policies)
    {
        foreach (CommitPolicy policy in policies)
        {
            if (!Backend.CanSelect(policy))
            {
                return false;
            }
        }

        return true;
    }

    private int RunToLogits(IReadOnlyList<ForwardSequence> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        BatchPlan plan = BatchPlan.Create(batch, Config);
        _workspace.EnsureCapacity(plan.TokenCount, plan.ScoreRows.Length);
        ForwardWorkspace w = _workspace;
        IComputeBackend b = Backend;
        float eps = (float)Config.RmsNormEps;

        b.Embed(_weights.Embedding, plan.Tokens, w.Hidden);
        b.RmsNorm(w.Hidden, _weights.Layers[0].AttentionNorm, eps, w.Normed);
        for (int l = 0; l < _weights.Layers.Length; l++)
        {
            LayerWeights layer = _weights.Layers[l];
            b.MatMulShared(w.Normed, [layer.Query, layer.Key, layer.Value], [layer.QueryBias, layer.KeyBias, layer.ValueBias], [w.Queries, w.Keys, w.Values]);
            if (layer.QueryNorm is not null && layer.KeyNorm is not null)
            {
                b.HeadRmsNorm(w.Queries, layer.QueryNorm, Config.HeadCount, eps);
                b.HeadRmsNorm(w.Keys, layer.KeyNorm, Config.KeyValueHeadCount, eps);
            }

            b.ApplyRope(w.Queries, Config.HeadCount, w.Keys, Config.KeyValueHeadCount, Config.HeadDim, plan.Positions, Config.RopeTheta);
            if (plan.CacheWrites.Length > 0)
            {
                b.WriteKvCache(w.Keys, w.Values, l, plan.CacheWrites);
            }

            b.Attention(w.Queries, w.Keys, w.Values, plan.Attention with { CacheLayer = l }, Config.HeadCount, Config.KeyValueHeadCount, Config.HeadDim, w.Attended);
            b.MatMul(w.Attended, layer.AttentionOutput, null, w.Projected);
            b.AddRmsNorm(w.Hidden, w.Projected, layer.MlpNorm, eps, w.Normed);

            b.MatMulShared(w.Normed, [layer.Gate, layer.Up], [null, null], [w.Gate, w.Up]);
            b.SwiGlu(w.Gate, w.Up, w.Activated);
            b.MatMul(w.Activated, layer.Down, null, w.Projected);

            // The residual add and the next layer's attention norm in one pass; after the last layer only the
            // scored rows are normalised, so its add stands alone.
            if (l + 1 < _weights.Layers.Length)
            {
                b.AddRmsNorm(w.Hidden, w.Projected, _weights.Layers[l + 1].AttentionNorm, eps, w.Normed);
            }
            else
            {
                b.Add(w.Hidden, w.Projected);
            }
        }

        b.GatherRows(w.Hidden, plan.ScoreRows, w.Gathered);
        b.RmsNorm(w.Gathered, _weights.FinalNorm, eps, w.GatheredNormed);
        b.MatMul(w.GatheredNormed, _weights.Head, null, w.Logits);
        AddLogitBias(batch);
        return plan.ScoreRows.Length;
    }

    /// <summary>
    /// The alternatives at each sequence's commits, from the logits the step drew from: one backend call per distinct
    /// <see cref="ForwardSequence.TopLogprobs"/> in the batch (a commit's logit row is its sequence's first plus its row).
    /// </summary>
    private TokenLogprob[][] ListAlternatives(IReadOnlyList<ForwardSequence> batch, ReadOnlySpan<int> offsets, ReadOnlySpan<CommittedToken> committed, ReadOnlySpan<int> counts)
    {
        var alternatives = new TokenLogprob[batch.Count][];
        Array.Fill(alternatives, []);
        foreach (int count in batch.Select(sequence => sequence.TopLogprobs).Where(count => count > 0).Distinct())
        {
            var rows = new List<TopLogprobsRow>();
            for (int s = 0; s < batch.Count; s++)
            {
                if (batch[s].TopLogprobs == count)
                {
                    foreach (CommittedToken c in committed.Slice(offsets[s], counts[s]))
                    {
                        rows.Add(new TopLogprobsRow(offsets[s] + c.Row, c.Token, c.LogProbability));
                    }
                }
            }

            var listed = new TokenLogprob[rows.Count * count];
            Backend.TopLogprobs(_workspace.Logits, CollectionsMarshal.AsSpan(rows), count, Config.MaskTokenId, listed);
            int first = 0;
            for (int s = 0; s < batch.Count; s++)
            {
                if (batch[s].TopLogprobs == count)
                {
                    alternatives[s] = listed[(first * count)..((first + counts[s]) * count)];
                    first += counts[s];
                }
            }
        }

        return alternatives;
    }

    /// <summary>
    /// Each sequence's <see cref="ForwardSequence.LogitBias"/> on the logit rows of its score positions, and its
    /// <see cref="ForwardSequence.FirstRowBias"/>, where it has one, on its first row instead.
    /// </summary>
    private void AddLogitBias(IReadOnlyList<ForwardSequence> batch)
    {
        if (!batch.Any(sequence => sequence.LogitBias.Count > 0 || sequence.FirstRowBias is not null))
        {
            return;
        }

        var spans = new List<LogitBiasRows>();
        var biases = new List<TokenBias>();
        void Add(int firstRow, int rows, IReadOnlyList<TokenBias> bias)
        {
            if (bias.Count > 0 && rows > 0)
            {
                spans.Add(new LogitBiasRows(firstRow, rows, biases.Count, bias.Count));
                biases.AddRange(bias);
            }
        }

        int row = 0;
        foreach (ForwardSequence sequence in batch)
        {
            int rows = sequence.ScorePositions.Count;
            if (sequence.FirstRowBias is { } first && rows > 0)
            {
                Add(row, 1, first);
                Add(row + 1, rows - 1, sequence.LogitBias);
            }
            else
            {
                Add(row, rows, sequence.LogitBias);
            }

            row += rows;
        }

        if (spans.Count > 0)
        {
            Backend.AddLogitBias(_workspace.Logits, CollectionsMarshal.AsSpan(spans), CollectionsMarshal.AsSpan(biases));
        }
    }

    private static RowSampling[] Sampling(IReadOnlyList<ForwardSequence> batch, int scored)
    {
        var sampling = new RowSampling[scored];
        int r = 0;
        foreach (ForwardSequence sequence in batch)
        {
            foreach (RowSampling row in sequence.Sampling)
            {
                sampling[r++] = row;
            }
        }

        return sampling;
    }
}
