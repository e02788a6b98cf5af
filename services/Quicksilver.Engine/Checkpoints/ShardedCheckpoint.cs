using System.Collections.ObjectModel;
using System.Text.Json;

namespace Quicksilver.Engine.Checkpoints;

/// <summary>
/// A checkpoint split over several safetensors files, described by <c>model.safetensors.index.json</c>
/// (<c>{"metadata": {...}, "weight_map": {"tensor": "shard file", ...}}</c>). Each shard is opened once; the index and
/// the shards must agree exactly: every listed tensor is in its shard, every tensor of a shard is listed there, and no
/// tensor is in two shards.
/// </summary>
internal sealed class ShardedCheckpoint : ITensorSource
{
    private const string WeightMapKey = "weight_map";
    private const string MetadataKey = "metadata";

    private readonly SafetensorsFile[] _shards;
    private readonly Dictionary<string, CheckpointTensor> _tensors;
    private int _disposed;

    private ShardedCheckpoint(string indexPath, SafetensorsFile[] shards, ReadOnlyCollection<string> names, Dictionary<string, CheckpointTensor> tensors)
    {
        SourcePath = indexPath;
        _shards = shards;
        Names = names;
        _tensors = tensors;
    }

    /// <summary>The index file.</summary>
    public string SourcePath { get; }

    /// <summary>Tensor names in <c>weight_map</c> order.</summary>
    public IReadOnlyCollection<string> Names { get; }

    /// <summary>The opened shards, in the order the index first names them.</summary>
    public IReadOnlyList<ITensorSource> Shards => _shards;

    /// <summary>Reads the index at <paramref name="indexPath"/>, opens every shard it names and checks that they agree.</summary>
    /// <exception cref="CheckpointException">The index is malformed, a shard is missing or malformed, or they disagree.</exception>
    public static ShardedCheckpoint Open(string indexPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(indexPath);
        indexPath = Path.GetFullPath(indexPath);
        string folder = Path.GetDirectoryName(indexPath)!;
        List<(string Tensor, string Shard)> weightMap = ReadWeightMap(indexPath);

        // Shard file name -> full path, in first-mention order; every shard must exist before any is mapped.
        var shardPaths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string tensor, string shard) in weightMap)
        {
            if (shardPaths.ContainsKey(shard))
            {
                continue;
            }

            string shardPath = ResolveShard(indexPath, folder, tensor, shard);
            if (!File.Exists(shardPath))
            {
                int count = weightMap.Count(e => e.Shard == shard);
                throw new CheckpointException(indexPath, shard,
                    $"the index maps {count} tensor(s) to this shard (first: '{tensor}'), but the file does not exist in {folder}");
            }

            shardPaths.Add(shard, shardPath);
        }

        var opened = new List<SafetensorsFile>(shardPaths.Count);
        try
        {
            var byShard = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach ((string shard, string shardPath) in shardPaths)
            {
                SafetensorsFile file = SafetensorsFile.Open(shardPath);
                opened.Add(file);
                byShard.Add(shard, file);
            }

            Dictionary<string, CheckpointTensor> tensors = Reconcile(indexPath, weightMap, byShard);
            var names = Array.AsReadOnly(weightMap.Select(e => e.Tensor).ToArray());
            return new ShardedCheckpoint(indexPath, [.. opened], names, tensors);
        }
        catch
        {
            foreach (SafetensorsFile file in opened)
            {
                file.Dispose();
            }

            throw;
        }
    }

    /// <inheritdoc />
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CheckpointTensor? tensor)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _tensors.TryGetValue(name, out tensor);
    }

    /// <summary>Unmaps every shard.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (SafetensorsFile shard in _shards)
        {
            shard.Dispose();
        }
    }

    private static List<(string Tensor, string Shard)> ReadWeightMap(string indexPath)
    {
        JsonElement root = JsonFields.LoadObject(indexPath);
        if (JsonFields.TryGet(root, MetadataKey, out JsonElement metadata) && metadata.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException(indexPath, MetadataKey, $"expected an object, got {JsonFields.Describe(metadata)}");
        }

        if (!JsonFields.TryGet(root, WeightMapKey, out JsonElement map))
        {
            throw new CheckpointException(indexPath, WeightMapKey, "required field is missing (expected an object mapping tensor names to shard files)");
        }

        if (map.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException(indexPath, WeightMapKey, $"expected an object mapping tensor names to shard files, got {JsonFields.Describe(map)}");
        }

        var entries = new List<(string Tensor, string Shard)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty entry in map.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(entry.Value.GetString()))
            {
                throw new CheckpointException(indexPath, entry.Name, $"{WeightMapKey} must map it to a shard file name, got {JsonFields.Describe(entry.Value)}");
            }

            if (!seen.Add(entry.Name))
            {
                throw new CheckpointException(indexPath, entry.Name, $"appears twice in {WeightMapKey}");
            }

            entries.Add((entry.Name, entry.Value.GetString()!));
        }

        return entries.Count > 0
            ? entries
            : throw new CheckpointException(indexPath, WeightMapKey, "is empty; a sharded checkpoint must list its tensors");
    }

    private static string ResolveShard(string indexPath, string folder, string tensor, string shard)
    {
        string full = Path.GetFullPath(Path.Combine(folder, shard));
        string root = Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;
        if (Path.IsPathRooted(shard) || !full.StartsWith(root, StringComparison.Ordinal))
        {
            throw new CheckpointException(indexPath, tensor, $"is mapped to '{shard}', which is not a file inside {folder}");
        }

        return full;
    }

    private static Dictionary<string, CheckpointTensor> Reconcile(
        string indexPath,
        List<(string Tensor, string Shard)> weightMap,
        Dictionary<string, SafetensorsFile> byShard)
    {
        // Where each tensor actually is; a tensor in two shards is ambiguous whatever the index says.
        var holders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string shard, SafetensorsFile file) in byShard)
        {
            foreach (string name in file.Names)
            {
                if (holders.TryGetValue(name, out string? other))
                {
                    throw new CheckpointException(indexPath, name, $"is held by two shards, '{other}' and '{shard}'");
                }

                holders.Add(name, shard);
            }
        }

        var tensors = new Dictionary<string, CheckpointTensor>(weightMap.Count, StringComparer.Ordinal);
        foreach ((string name, string shard) in weightMap)
        {
            if (!byShard[shard].TryGet(name, out CheckpointTensor? tensor))
            {
                string problem = holders.TryGetValue(name, out string? actual)
                    ? $"{WeightMapKey} maps it to '{shard}', but it is in '{actual}'"
                    : $"{WeightMapKey} maps it to '{shard}', but that shard does not hold it (nor does any other)";
                throw new CheckpointException(indexPath, name, problem);
            }

            tensors.Add(name, tensor);
        }

        foreach ((string name, string shard) in holders)
        {
            if (!tensors.ContainsKey(name))
            {
                throw new CheckpointException(indexPath, name, $"is held by shard '{shard}' but not listed in {WeightMapKey}");
            }
        }

        return tensors;
    }
}
