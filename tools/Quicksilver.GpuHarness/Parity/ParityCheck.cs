using Quicksilver.Engine.Compute.Cuda;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>One named parity check: what it runs and with which attention kernel the CUDA backend is built.</summary>
internal sealed record ParityCheck(string Name, string Description, Action<ParityContext> Run, CudaAttentionKernel Attention = CudaAttentionKernel.Auto)
{
    /// <summary>Every check, in the order <c>parity</c> runs them (safest first: a kernel fault poisons its process only).</summary>
    public static IReadOnlyList<ParityCheck> All { get; } =
    [
        new("kernels", "build every kernel module with NVRTC (fills the on-disk cache for the other checks)", OperationChecks.Kernels),
        new("random_weights", "CreateRandomWeight vs CounterRng on the host (bit-exact hash port)", OperationChecks.RandomWeights),
        new("embed", "embedding gather vs CpuBackend.Embed", OperationChecks.Embed),
        new("gather_rows", "GatherRows (bf16 and fp32) vs CpuBackend.GatherRows", OperationChecks.GatherRows),
        new("rmsnorm", "RMSNorm vs CpuBackend.RmsNorm", OperationChecks.RmsNorm),
        new("head_rmsnorm", "per-head q/k RMSNorm (in place) vs CpuBackend.HeadRmsNorm", OperationChecks.HeadRmsNorm),
        new("matmul", "cuBLAS GemmEx (+bias; bf16 and fp32 outputs) vs CpuBackend.MatMul", OperationChecks.MatMul),
        new("rope", "NeoX RoPE of queries and keys in one launch vs CpuBackend.ApplyRope", OperationChecks.Rope),
        new("swiglu", "SwiGLU vs CpuBackend.SwiGlu", OperationChecks.SwiGlu),
        new("add", "residual add vs CpuBackend.Add", OperationChecks.Add),
        new("add_rmsnorm", "residual add fused with the next RMSNorm vs CpuBackend.AddRmsNorm", OperationChecks.AddRmsNorm),
        new("logit_bias", "logit_bias.cu (fp32 and bf16 logits) vs CpuBackend.AddLogitBias, exact", OperationChecks.LogitBias),
        new("top_logprobs", "top_logprobs.cu (fp32 and bf16 logits) vs CpuBackend.TopLogprobs, exact; times 20 alternatives at 64 rows against the epilogue", OperationChecks.TopLogprobs),
        new("score_logits_greedy", "LM-head epilogue, T = 0, vs CpuBackend.ScoreLogits", ScoreLogitsChecks.Greedy),
        new("score_logits_gumbel", "LM-head epilogue, Gumbel T > 0, vs CpuBackend.ScoreLogits", ScoreLogitsChecks.Gumbel),
        new("score_logits_truncated", "top-p/top-k drawn on the device (truncation.cuh), mixed with plain rows, vs CpuBackend.ScoreLogits; times truncated against plain rows", ScoreLogitsChecks.Truncated),
        new("score_logits_dream", "Dream's confidences (tempered, truncated draw distribution, greedy rows too) vs CpuBackend.ScoreLogits; times them against LLaDA's", ScoreLogitsChecks.DreamConfidences),
        new("select_commits", "commit selection on the device (select_commits.cu) vs CommitSelection on the device's scores, and vs CpuBackend.ScoreAndSelect", SelectCommitsChecks.Run),
        new("attention_simple", "attention version 1 (one warp per row) vs CpuBackend.Attention", AttentionChecks.Run, CudaAttentionKernel.Simple),
        new("attention_mma", "attention version 2 (tensor cores) vs CpuBackend.Attention", AttentionChecks.Run, CudaAttentionKernel.TensorCore),
        new("model_synthetic_llada", "DiffusionTransformer, synthetic LLaDA (MHA, d128 heads): logits + greedy decode", ModelChecks.SyntheticLLaDA),
        new("model_synthetic_llada_kv_cache", "DiffusionTransformer, synthetic LLaDA: prefix and dual K/V cache windows after a refresh, batched with a no-cache sequence", ModelChecks.SyntheticLLaDAKvCache),
        new("model_synthetic_dream", "DiffusionTransformer, synthetic Dream (GQA, qkv bias, shifted logits): logits + greedy decode", ModelChecks.SyntheticDream),
        new("model_synthetic_sdar", "DiffusionTransformer, synthetic SDAR (q/k head norms, tied head, 4 x 128 heads on d256, block-causal 4): logits + greedy decode", ModelChecks.SyntheticSdar),
        new("model_tiny", "DiffusionTransformer on the tiny model folder (--model): logits + greedy decode", ModelChecks.Tiny),
    ];

    public static ParityCheck? Find(string name) => All.FirstOrDefault(c => c.Name == name);
}
