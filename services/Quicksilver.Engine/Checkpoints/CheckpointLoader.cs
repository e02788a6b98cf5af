namespace Quicksilver.Engine.Checkpoints;

/// <summary>Opens the tensors of a Hugging Face style model folder, memory-mapped and validated.</summary>
public static class CheckpointLoader
{
    /// <summary>
    /// Opens the checkpoint in <paramref name="folder"/>: <c>model.safetensors</c> when present, otherwise the shards
    /// listed by <c>model.safetensors.index.json</c>. The caller owns the returned source and must dispose it.
    /// </summary>
    /// <exception cref="CheckpointException">
    /// The folder is missing or holds neither file, or a file is malformed; the message names the file and the tensor.
    /// </exception>
    public static ITensorSource Open(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        folder = Path.GetFullPath(folder);
        if (!Directory.Exists(folder))
        {
            throw new CheckpointException(folder, null, "the model folder does not exist");
        }

        string single = Path.Combine(folder, CheckpointFileNames.Safetensors);
        if (File.Exists(single))
        {
            return SafetensorsFile.Open(single);
        }

        string index = Path.Combine(folder, CheckpointFileNames.SafetensorsIndex);
        if (File.Exists(index))
        {
            return ShardedCheckpoint.Open(index);
        }

        string[] found = [.. Directory.EnumerateFiles(folder, "*.safetensors").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];
        string hint = found.Length == 0
            ? "it holds no .safetensors files"
            : $"it holds {string.Join(", ", found.Take(5))}{(found.Length > 5 ? ", …" : string.Empty)} but no index to tell how they fit together";
        throw new CheckpointException(folder, null,
            $"no checkpoint: neither {CheckpointFileNames.Safetensors} nor {CheckpointFileNames.SafetensorsIndex} is in the folder; {hint}");
    }

    /// <summary>Opens one <c>.safetensors</c> file. The caller owns the returned source and must dispose it.</summary>
    /// <exception cref="CheckpointException">The file is missing, truncated or malformed.</exception>
    public static ITensorSource OpenFile(string safetensorsPath) => SafetensorsFile.Open(safetensorsPath);
}
