using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Compute;

/// <summary>
/// The operations one denoising step needs, over packed variable-length batches. Activations are row-major
/// matrices with one row per token (<see cref="IDeviceBuffer"/>); weights are checkpoint tensors made resident
/// (<see cref="IWeight"/>). Host-side arguments (token ids, positions, layouts) are small and copied per call.
/// Every operation is deterministic and computes each output row independently of the other rows, so a
/// sequence's result does not depend on what else is in the batch.
/// </summary>
public interface IComputeBackend : IDisposable
{
    /// <summary>Short name reported in logs and <c>/v1/models</c>: <c>cpu</c> or <c>cuda</c>.</summary>
    string Name { get; }

    /// <summary>A human-readable description of the device (CPU model and threads, GPU name).</summary>
    string Description { get; }

    /// <summary>Makes a checkpoint tensor resident. 1-D tensors become one row.</summary>
    IWeight LoadWeight(CheckpointTensor tensor);

    /// <summary>Allocates a buffer of <paramref name="capacity"/> rows; <paramref name="kind"/> lets the backend pick its precision.</summary>
    IDeviceBuffer Allocate(int capacity, int columns, BufferKind kind = BufferKind.Activation);

    /// <summary>Copies host rows into a buffer and sets its row count.</summary>
    void Upload(ReadOnlySpan<float> source, IDeviceBuffer destination);

    /// <summary>Copies a buffer's rows in use to the host.</summary>
    void Download(IDeviceBuffer source, Span<float> destination);

    /// <summary><c>output[i] = table[tokens[i]]</c>.</summary>
    void Embed(IWeight table, ReadOnlySpan<int> tokens, IDeviceBuffer output);

    /// <summary>
    /// <c>output = (x / sqrt(mean(x²) + eps)) · weight</c> per row, the normalisation in fp32 and rounded to the
    /// activation type before the weight multiply (LLaDA's <c>RMSLayerNorm</c>).
    /// </summary>
    void RmsNorm(IDeviceBuffer input, IWeight weight, float epsilon, IDeviceBuffer output);

    /// <summary>
    /// <see cref="RmsNorm"/> of each of the <paramref name="headCount"/> heads of each row on its own, in place, with the
    /// same <paramref name="weight"/> (one entry per head element): Qwen3's q/k norm, which SDAR keeps.
    /// </summary>
    void HeadRmsNorm(IDeviceBuffer queriesOrKeys, IWeight weight, int headCount, float epsilon);

    /// <summary><c>output = input · weightᵀ (+ bias)</c>: weight is <c>[out, in]</c> as stored by PyTorch.</summary>
    void MatMul(IDeviceBuffer input, IWeight weight, IWeight? bias, IDeviceBuffer output);

    /// <summary>
    /// <see cref="MatMul"/> of one input by each of <paramref name="weights"/>: <c>outputs[i] = input · weights[i]ᵀ (+ biases[i])</c>
    /// (a layer's q, k and v; its gate and up). The CUDA backend runs the products of equal shape as one batched GEMM.
    /// </summary>
    void MatMulShared(IDeviceBuffer input, ReadOnlySpan<IWeight> weights, ReadOnlySpan<IWeight?> biases, ReadOnlySpan<IDeviceBuffer> outputs);

    /// <summary>
    /// Rotates each head of each row of <paramref name="queries"/> and of <paramref name="keys"/> (the same rows, at the
    /// same positions) in place with NeoX half-split RoPE (<c>rotate_half</c>) at the row's position, with angles
    /// computed in fp32 from <paramref name="theta"/>.
    /// </summary>
    void ApplyRope(IDeviceBuffer queries, int queryHeadCount, IDeviceBuffer keys, int keyHeadCount, int headDim, ReadOnlySpan<int> positions, double theta);

    /// <summary>Bytes a K/V cache of <paramref name="layers"/> × <paramref name="positions"/> key rows and as many value rows of <paramref name="keyValueWidth"/> elements takes on this backend.</summary>
    long KvCacheBytes(int layers, int positions, int keyValueWidth);

    /// <summary>Allocates one sequence's K/V cache (<see cref="IKvCache"/>); its rows are undefined until written.</summary>
    IKvCache AllocateKvCache(int layers, int positions, int keyValueWidth);

    /// <summary>
    /// Stores key and value rows of this step in K/V caches at layer <paramref name="layer"/>: for each write, rows
    /// <c>[SourceRow, SourceRow + Count)</c> of <paramref name="keys"/> and <paramref name="values"/> go to positions
    /// <c>[Position, Position + Count)</c> of its cache, overwriting what was there.
    /// </summary>
    void WriteKvCache(IDeviceBuffer keys, IDeviceBuffer values, int layer, ReadOnlySpan<KvCacheWrite> writes);

    /// <summary>
    /// Non-causal scaled dot-product attention (scale 1/√headDim) per sequence of <paramref name="layout"/>, each
    /// sequence's queries over its own <see cref="AttentionKeys"/> (rows of <paramref name="keys"/>/<paramref name="values"/>,
    /// or positions of its K/V cache at <see cref="AttentionLayout.CacheLayer"/>); query head h reads key/value head
    /// <c>h / (headCount / kvHeadCount)</c> (grouped-query attention).
    /// </summary>
    void Attention(
        IDeviceBuffer queries,
        IDeviceBuffer keys,
        IDeviceBuffer values,
        AttentionLayout layout,
        int headCount,
        int kvHeadCount,
        int headDim,
        IDeviceBuffer output);

    /// <summary><c>output = silu(gate) · up</c> element-wise.</summary>
    void SwiGlu(IDeviceBuffer gate, IDeviceBuffer up, IDeviceBuffer output);

    /// <summary><c>accumulator += addend</c> element-wise (the residual add).</summary>
    void Add(IDeviceBuffer accumulator, IDeviceBuffer addend);

    /// <summary>
    /// <see cref="Add"/> then <see cref="RmsNorm"/> of the sum into <paramref name="output"/>: a residual add and the
    /// next sub-layer's norm, in one pass (one launch on CUDA), with the same result as the two calls.
    /// </summary>
    void AddRmsNorm(IDeviceBuffer accumulator, IDeviceBuffer addend, IWeight weight, float epsilon, IDeviceBuffer output);

    /// <summary><c>output[i] = input[rows[i]]</c>.</summary>
    void GatherRows(IDeviceBuffer input, ReadOnlySpan<int> rows, IDeviceBuffer output);

    /// <summary>
    /// The fused LM-head epilogue: for each row of logits, the softmax statistics, the chosen token
    /// (arg-max, or Gumbel-max per <paramref name="sampling"/>) and its confidences, without writing
    /// probabilities anywhere; top-p/top-k rows are drawn from the truncated distribution (<see cref="RowSampling"/>).
    /// <paramref name="sampling"/> and <paramref name="results"/> have one entry per row.
    /// <paramref name="suppressedToken"/> (the mask id; −1 for none) is never chosen but still counts in the softmax
    /// (not in the draw distribution a row that <see cref="RowSampling.ScoresTheDrawDistribution"/> scores under).
    /// </summary>
    void ScoreLogits(IDeviceBuffer logits, ReadOnlySpan<RowSampling> sampling, int suppressedToken, Span<TokenScore> results);

    /// <summary>
    /// Adds, in place, each span's token biases to every logit row of the span (OpenAI's <c>logit_bias</c>, before
    /// <see cref="ScoreLogits"/>): <c>x = x + bias</c> in fp32, rounded back to bf16 where the buffer holds bf16.
    /// The spans and biases satisfy <see cref="LogitBiasRows.Check"/>.
    /// </summary>
    void AddLogitBias(IDeviceBuffer logits, ReadOnlySpan<LogitBiasRows> spans, ReadOnlySpan<TokenBias> biases);

    /// <summary>
    /// OpenAI's <c>top_logprobs</c>: for each of <paramref name="rows"/>, the <paramref name="count"/> most likely tokens
    /// of its logit row (<see cref="LogitRank"/> order: highest logit first, ties to the lower id), the suppressed token
    /// left out, into <c>results[i · count + k]</c>. Each log-probability is measured from the row's chosen token,
    /// <c>min(0, ChosenLogProbability + (x_token − x_chosen))</c> in fp32, so it is that token's
    /// <see cref="TokenScore.LogProbability"/> up to rounding, and exactly it for the chosen token. The arguments satisfy
    /// <see cref="TopLogprobsRow.Check"/>.
    /// </summary>
    void TopLogprobs(IDeviceBuffer logits, ReadOnlySpan<TopLogprobsRow> rows, int count, int suppressedToken, Span<TokenLogprob> results);

    /// <summary>
    /// The most scored rows one sequence may have in <see cref="ScoreAndSelect"/> (CUDA ranks a sequence's rows in one
    /// thread block: 1024); <see cref="int.MaxValue"/> where there is no limit.
    /// </summary>
    int MaxSelectionRows { get; }

    /// <summary>
    /// Whether <see cref="ScoreAndSelect"/> selects by <paramref name="policy"/>. Where it does not,
    /// <see cref="Models.DiffusionTransformer"/> brings the step's scores to the host and selects there
    /// (<see cref="CommitSelection.SelectBatch"/>): CUDA's <c>select_commits.cu</c> has neither
    /// <see cref="RemaskingStrategy.Origin"/> nor position sampling (<see cref="CommitPolicy.SamplesPositions"/>).
    /// </summary>
    bool CanSelect(CommitPolicy policy);

    /// <summary>
    /// <see cref="ScoreLogits"/>, then, where the scores are, the positions each sequence's step commits: its rows
    /// ranked by the remasking confidence of its <see cref="CommitPolicy"/> and as many taken as its rule says
    /// (<c>Decoding/CommitSelection.cs</c> is the reference). Only the commits come back to the host.
    /// Sequence s owns logit rows <c>[rowOffsets[s], rowOffsets[s + 1])</c> (at most <see cref="MaxSelectionRows"/>), and
    /// its policy is one the backend <see cref="CanSelect"/>;
    /// <paramref name="positions"/> holds each row's canvas position (ties go to the leftmost; the random remasking draws
    /// by position). Its <c>counts[s]</c> commits, in commit order, fill <paramref name="committed"/> from
    /// <c>rowOffsets[s]</c> on, each naming its row within the sequence; the rest of <paramref name="committed"/> is undefined.
    /// </summary>
    void ScoreAndSelect(
        IDeviceBuffer logits,
        ReadOnlySpan<RowSampling> sampling,
        int suppressedToken,
        ReadOnlySpan<int> positions,
        ReadOnlySpan<int> rowOffsets,
        ReadOnlySpan<CommitPolicy> policies,
        Span<CommittedToken> committed,
        Span<int> counts);
}
