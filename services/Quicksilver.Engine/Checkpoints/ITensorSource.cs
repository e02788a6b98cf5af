namespace Quicksilver.Engine.Checkpoints;

/// <summary>The tensors of a checkpoint (one safetensors file or a sharded set), memory-mapped.</summary>
public interface ITensorSource : IDisposable
{
    /// <summary>
    /// The file that lists the checkpoint's tensors: the <c>.safetensors</c> file itself, or the
    /// <c>model.safetensors.index.json</c> of a sharded set. Errors about a tensor the checkpoint lacks name this file.
    /// </summary>
    string SourcePath { get; }

    /// <summary>Every tensor name the checkpoint holds.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Finds a tensor by name.</summary>
    bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CheckpointTensor? tensor);
}
