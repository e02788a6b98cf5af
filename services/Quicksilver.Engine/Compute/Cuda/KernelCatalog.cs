namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>Every kernel entry point the backend launches, and the file in <c>kernels/</c> that defines it.</summary>
internal static class KernelCatalog
{
    public const string EmbedBf16 = "embed_bf16";
    public const string GatherRowsBf16 = "gather_rows_bf16";
    public const string GatherRowsF32 = "gather_rows_f32";
    public const string RmsNormBf16 = "rmsnorm_bf16";
    public const string AddRmsNormBf16 = "add_rmsnorm_bf16";
    public const string RopeNeoxBf16 = "rope_neox_bf16";
    public const string SwiGluBf16 = "swiglu_bf16";
    public const string AddBf16 = "add_bf16";
    public const string AddBiasBf16 = "add_bias_bf16";
    public const string AddBiasF32 = "add_bias_f32";
    public const string AddLogitBiasF32 = "add_logit_bias_f32";
    public const string AddLogitBiasBf16 = "add_logit_bias_bf16";
    public const string ScoreLogitsF32 = "score_logits_f32";
    public const string ScoreLogitsBf16 = "score_logits_bf16";
    public const string SelectCommits = "select_commits";
    public const string TopLogprobsF32 = "top_logprobs_f32";
    public const string TopLogprobsBf16 = "top_logprobs_bf16";
    public const string InitUniformBf16 = "init_uniform_bf16";
    public const string InitUniformF32 = "init_uniform_f32";
    public const string FillU32 = "fill_u32";
    public const string KvCacheWriteBf16 = "kv_cache_write_bf16";
    public const string AttentionCombine = "attention_combine";

    /// <summary>Kernel name → source file.</summary>
    public static IReadOnlyDictionary<string, string> Files { get; } = Build();

    /// <summary>The attention kernel for a head width: <c>attention_mma_d128</c> or <c>attention_simple_d64</c>.</summary>
    public static string Attention(bool tensorCores, int headDim) => $"attention_{(tensorCores ? "mma" : "simple")}_d{headDim}";

    /// <summary>Head widths the attention kernels are instantiated for.</summary>
    public static bool IsSupportedHeadDim(int headDim) => headDim is 32 or 64 or 128;

    private static Dictionary<string, string> Build()
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [EmbedBf16] = "gather.cu",
            [GatherRowsBf16] = "gather.cu",
            [GatherRowsF32] = "gather.cu",
            [RmsNormBf16] = "rmsnorm.cu",
            [AddRmsNormBf16] = "rmsnorm.cu",
            [RopeNeoxBf16] = "rope.cu",
            [SwiGluBf16] = "swiglu.cu",
            [AddBf16] = "residual.cu",
            [AddBiasBf16] = "residual.cu",
            [AddBiasF32] = "residual.cu",
            [AddLogitBiasF32] = "logit_bias.cu",
            [AddLogitBiasBf16] = "logit_bias.cu",
            [ScoreLogitsF32] = "lm_head_epilogue.cu",
            [ScoreLogitsBf16] = "lm_head_epilogue.cu",
            [SelectCommits] = "select_commits.cu",
            [TopLogprobsF32] = "top_logprobs.cu",
            [TopLogprobsBf16] = "top_logprobs.cu",
            [InitUniformBf16] = "init.cu",
            [InitUniformF32] = "init.cu",
            [FillU32] = "init.cu",
            [KvCacheWriteBf16] = "kv_cache.cu",
            [AttentionCombine] = "attention.cu",
        };
        foreach (int d in new[] { 32, 64, 128 })
        {
            files[Attention(true, d)] = "attention.cu";
            files[Attention(false, d)] = "attention.cu";
        }

        return files;
    }
}
