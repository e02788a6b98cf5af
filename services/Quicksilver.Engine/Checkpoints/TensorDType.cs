namespace Quicksilver.Engine.Checkpoints;

/// <summary>Element types a checkpoint tensor may have. The names match the safetensors header's <c>dtype</c> strings.</summary>
public enum TensorDType
{
    /// <summary>IEEE 754 single precision (safetensors <c>F32</c>).</summary>
    F32,

    /// <summary>IEEE 754 half precision (safetensors <c>F16</c>).</summary>
    F16,

    /// <summary>bfloat16: the upper 16 bits of an F32 (safetensors <c>BF16</c>).</summary>
    BF16,
}
