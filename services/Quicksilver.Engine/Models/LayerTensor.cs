namespace Quicksilver.Engine.Models;

/// <summary>The parameters of one transformer block, by role rather than by checkpoint name.</summary>
public enum LayerTensor
{
    /// <summary>RMSNorm weight before attention.</summary>
    AttentionNorm,

    /// <summary>Query projection.</summary>
    Query,

    /// <summary>Key projection.</summary>
    Key,

    /// <summary>Value projection.</summary>
    Value,

    /// <summary>Query bias (Dream).</summary>
    QueryBias,

    /// <summary>Key bias (Dream).</summary>
    KeyBias,

    /// <summary>Value bias (Dream).</summary>
    ValueBias,

    /// <summary>Per-head RMSNorm weight of the queries, before RoPE (SDAR, from Qwen3).</summary>
    QueryNorm,

    /// <summary>Per-head RMSNorm weight of the keys, before RoPE (SDAR, from Qwen3).</summary>
    KeyNorm,

    /// <summary>Attention output projection.</summary>
    AttentionOutput,

    /// <summary>RMSNorm weight before the MLP.</summary>
    MlpNorm,

    /// <summary>SwiGLU gate projection.</summary>
    Gate,

    /// <summary>SwiGLU up projection.</summary>
    Up,

    /// <summary>MLP down projection.</summary>
    Down,
}
