namespace Quicksilver.Engine.Checkpoints;

/// <summary>The file names of a Hugging Face style model folder.</summary>
public static class CheckpointFileNames
{
    /// <summary>A checkpoint held in one file.</summary>
    public const string Safetensors = "model.safetensors";

    /// <summary>The index of a sharded checkpoint: which shard holds which tensor.</summary>
    public const string SafetensorsIndex = "model.safetensors.index.json";

    /// <summary>The model's hyper-parameters.</summary>
    public const string Config = "config.json";

    /// <summary>Default sampling settings (optional).</summary>
    public const string GenerationConfig = "generation_config.json";
}
