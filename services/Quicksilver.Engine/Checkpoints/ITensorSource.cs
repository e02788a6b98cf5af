namespace Quicksilver.Engine.Checkpoints;

/// <summary>The tensors of a checkpoint (one safetensors file or a sharded set), memory-mapped.</summary>
public interface ITensorSource : IDisposable
{
    /// <summary>Every tensor name the checkpoint holds.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Finds a tensor by name.</summary>
    bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CheckpointTensor? tensor);
}
