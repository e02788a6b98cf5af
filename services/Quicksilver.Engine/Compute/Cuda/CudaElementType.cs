namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>How a CUDA buffer or weight stores its elements.</summary>
internal enum CudaElementType
{
    /// <summary>bfloat16 (activations, 2-D weights).</summary>
    BFloat16,

    /// <summary>fp32 (logits, 1-D weights such as norm scales and biases).</summary>
    Float32,
}
