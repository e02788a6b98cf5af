namespace Quicksilver.Engine;

/// <summary>How a pod runs its model. Bound from the <c>Quicksilver:Engine</c> configuration section.</summary>
public sealed record EngineOptions
{
    /// <summary><c>auto</c> (CUDA when a device is present, else CPU), <c>cuda</c> (required: fail if absent) or <c>cpu</c>.</summary>
    public string Backend { get; init; } = "auto";

    /// <summary>CPU backend worker threads; null means one per logical processor.</summary>
    public int? Threads { get; init; }

    /// <summary>Copy BF16/F16 weights to fp32 once at load on the CPU backend (faster, 2× memory).</summary>
    public bool WidenWeightsToFp32 { get; init; }

    /// <summary>Semi-autoregressive block length used when a request names none (LLaDA's demo uses 32).</summary>
    public int DefaultBlockLength { get; init; } = 32;

    /// <summary>The model id clients use; null means the model folder's name.</summary>
    public string? ModelId { get; init; }
}
