namespace Quicksilver.Engine.Models;

/// <summary>
/// The hyper-parameters of a checkpoint, normalised across families from its <c>config.json</c>
/// (LLaDA spells them <c>d_model</c>, <c>n_layers</c>…; Dream/Qwen2 <c>hidden_size</c>, <c>num_hidden_layers</c>…).
/// </summary>
public sealed record ModelConfig
{
    /// <summary>Model family. Required.</summary>
    public required ModelArchitecture Architecture { get; init; }

    /// <summary>Width of the residual stream (d_model / hidden_size). Required.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Number of transformer blocks. Required.</summary>
    public required int LayerCount { get; init; }

    /// <summary>Attention heads for queries. Required.</summary>
    public required int HeadCount { get; init; }

    /// <summary>Attention heads for keys and values (equal to <see cref="HeadCount"/> for MHA, fewer for GQA).</summary>
    public required int KeyValueHeadCount { get; init; }

    /// <summary>Width of the MLP's hidden layer (mlp_hidden_size / intermediate_size). Required.</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>Rows of the embedding and of the output head. Required.</summary>
    public required int VocabSize { get; init; }

    /// <summary>RoPE base θ.</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary>RMSNorm ε.</summary>
    public double RmsNormEps { get; init; } = 1e-5;

    /// <summary>Longest canvas (prompt + generated tokens) the model accepts.</summary>
    public int MaxSequenceLength { get; init; } = 4096;

    /// <summary>Whether q/k/v projections carry a bias (Dream: yes; LLaDA: no).</summary>
    public bool QkvBias { get; init; }

    /// <summary>
    /// Whether queries and keys go through a per-head RMSNorm (a weight of <see cref="HeadDim"/>, ε
    /// <see cref="RmsNormEps"/>) after their projection and before RoPE (SDAR, from Qwen3).
    /// </summary>
    public bool QueryKeyNorm { get; init; }

    /// <summary>Whether the output head is the embedding table (no separate head tensor in the checkpoint).</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Whether position i's logits come from the hidden state at i−1 (Dream, Fast-dLLM v2: yes).</summary>
    public bool ShiftLogits { get; init; }

    /// <summary>
    /// Block-causal attention (block diffusion: BD3-LM, SDAR, Fast-dLLM v2) over blocks of this many canvas positions
    /// from position 0: a position attends to its own block, bidirectionally, and to every earlier block (SDAR's
    /// <c>block_size</c>, Fast-dLLM v2's <c>bd_size</c>). Zero (LLaDA and Dream): full bidirectional attention. Then the keys and values of a block depend on nothing after it, so a
    /// K/V cache of the finished blocks is exact.
    /// </summary>
    public int AttentionBlockLength { get; init; }

    /// <summary>The id written into positions still to be generated.</summary>
    public required int MaskTokenId { get; init; }

    /// <summary>End-of-sequence ids: generation ends at the first of these (EOS, and EoT for chat models).</summary>
    public required IReadOnlyList<int> EosTokenIds { get; init; }

    /// <summary>
    /// Width of one attention head: <see cref="HiddenSize"/> / <see cref="HeadCount"/> unless the checkpoint names another
    /// (Qwen3's <c>head_dim</c>: SDAR-4B has 32 heads of 128 on a residual of 2560).
    /// </summary>
    public int HeadDim
    {
        get => _headDim ?? HiddenSize / HeadCount;
        init => _headDim = value;
    }

    /// <summary>Width of the query projection and of the attention output: heads × head width.</summary>
    public int QueryWidth => HeadCount * HeadDim;

    private readonly int? _headDim;
}
