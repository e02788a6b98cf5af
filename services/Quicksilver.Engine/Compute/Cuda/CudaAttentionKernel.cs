namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>Which attention kernel of <c>kernels/attention.cu</c> the CUDA backend runs.</summary>
public enum CudaAttentionKernel
{
    /// <summary>Tensor cores on compute capability 8.0 and newer, the simple kernel otherwise.</summary>
    Auto,

    /// <summary>The FlashAttention-2 style tensor-core kernel (<c>attention_mma_d*</c>; needs sm_80+).</summary>
    TensorCore,

    /// <summary>The one-warp-per-row reference kernel (<c>attention_simple_d*</c>): slow, for checks and fallback.</summary>
    Simple,
}
