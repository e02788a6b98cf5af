using System.Text.Json;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Tests.Checkpoints;

public sealed class ShardedCheckpointTests : IDisposable
{
    private const string Shard1 = "model-00001-of-00002.safetensors";
    private const string Shard2 = "model-00002-of-00002.safetensors";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static byte[] Bytes(int count, int seed) => [.. Enumerable.Range(seed, count).Select(i => (byte)(i * 7))];

    private void WriteShard(string name, params string[] tensors) =>
        SafetensorsWriter.Write(_folder.File(name), [.. tensors.Select((t, i) => new SafetensorsWriter.Entry(t, TensorDType.BF16, [2, 2], Bytes(8, i * 8 + t.Length)))]);

    private string WriteIndex(params (string Tensor, string Shard)[] map)
    {
        var index = new Dictionary<string, object>
        {
            ["metadata"] = new Dictionary<string, object> { ["total_size"] = 8 * map.Length },
            ["weight_map"] = map.ToDictionary(e => e.Tensor, e => e.Shard),
        };
        return _folder.WriteText(CheckpointFileNames.SafetensorsIndex, JsonSerializer.Serialize(index));
    }

    [Fact]
    public void Open_TwoShards_PresentsEveryTensorFromItsShard()
    {
        WriteShard(Shard1, "a", "b");
        WriteShard(Shard2, "c");
        string index = WriteIndex(("a", Shard1), ("b", Shard1), ("c", Shard2));

        using ShardedCheckpoint checkpoint = ShardedCheckpoint.Open(index);

        Assert.Equal(index, checkpoint.SourcePath);
        Assert.Equal(["a", "b", "c"], checkpoint.Names);
        Assert.Equal(2, checkpoint.Shards.Count);
        Assert.True(checkpoint.TryGet("b", out CheckpointTensor? b));
        Assert.Equal(_folder.File(Shard1), b.FilePath);
        Assert.Equal(Bytes(8, 8 + 1), TensorBytes.Of(b));
        Assert.True(checkpoint.TryGet("c", out CheckpointTensor? c));
        Assert.Equal(_folder.File(Shard2), c.FilePath);
        Assert.Equal([2L, 2L], c.Shape);
        Assert.Equal(Bytes(8, 1), TensorBytes.Of(c));
        Assert.False(checkpoint.TryGet("d", out _));
    }

    [Fact]
    public void TryGet_AfterDispose_ThrowsObjectDisposed()
    {
        WriteShard(Shard1, "a");
        string index = WriteIndex(("a", Shard1));
        ShardedCheckpoint checkpoint = ShardedCheckpoint.Open(index);
        checkpoint.Dispose();
        Assert.Throws<ObjectDisposedException>(() => checkpoint.TryGet("a", out _));
    }

    [Fact]
    public void Open_IndexNamesMissingShard_ThrowsNamingIndexAndShard()
    {
        WriteShard(Shard1, "a");
        string index = WriteIndex(("a", Shard1), ("c", Shard2));
        CheckpointAssert.Throws(() => ShardedCheckpoint.Open(index), index, Shard2, "does not exist", "'c'");
    }

    [Fact]
    public void Open_TensorAbsentFromItsShard_ThrowsNamingTensor()
    {
        WriteShard(Shard1, "a");
        WriteShard(Shard2, "c");
        string index = WriteIndex(("a", Shard1), ("ghost", Shard1), ("c", Shard2));
        CheckpointAssert.Throws(() => ShardedCheckpoint.Open(index), index, "ghost", $"maps it to '{Shard1}'", "does not hold it");
    }

    [Fact]
    public void Open_TensorMappedToWrongShard_ThrowsNamingBothShards()
    {
        WriteShard(Shard1, "a", "b");
        WriteShard(Shard2, "c");
        string index = WriteIndex(("a", Shard1), ("b", Shard2), ("c", Shard2));
        CheckpointAssert.Throws(() => ShardedCheckpoint.Open(index), index, "b", $"maps it to '{Shard2}', but it is in '{Shard1}'");
    }

    [Fact]
    public void Open_TensorInShardNotListed_ThrowsNamingTensor()
    {
        WriteShard(Shard1, "a", "stray");
        WriteShard(Shard2, "c");
        string index = WriteIndex(("a", Shard1), ("c", Shard2));
        CheckpointAssert.Throws(() => ShardedCheckpoint.Open(index), index, "stray", $"held by shard '{Shard1}' but not listed in weight_map");
    }

    [Fact]
    public void Open_SameTensorInTwoShards_ThrowsNamingBothShards()
    {
        WriteShard(Shard1, "a", "c");
        WriteShard(Shard2, "c");
        string index = WriteIndex(("a", Shard1), ("c", Shard2));
        CheckpointAssert.Throws(() => ShardedCheckpoint.Open(index), index, "c", $"two shards, '{Shard1}' and '{Shard2}'");
    }

    [Fact]
    public void Open_DefectiveShard_ThrowsNamingShardFile()
    {
        WriteShard(Shard1, "a");
        string shard2 = RawSafetensors.Write(_folder.File(Shard2), """{"c": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}""", new byte[8]);
        string index = WriteIndex(("a", Shard1), ("c", Shard2));
        CheckpointAssert.Throws(() => ShardedCheckpoint.Open(index), shard2, "c", "unsupported dtype I64");
    }

    [Fact]
    public void Open_ShardOutsideFolder_ThrowsNamingTensor()
    {
        string index = WriteIndex(("a", "../elsewhere.safetensors"));
        CheckpointAssert.Throws(() => ShardedCheckpoint.Open(index), index, "a", "not a file inside");
    }

    [Theory]
    [InlineData("""{"metadata": {}}""", "weight_map", "required field is missing")]
    [InlineData("""{"weight_map": ["a"]}""", "weight_map", "expected an object")]
    [InlineData("""{"weight_map": {}}""", "weight_map", "is empty")]
    [InlineData("""{"weight_map": {"a": 1}}""", "a", "must map it to a shard file name")]
    [InlineData("""{"metadata": [], "weight_map": {"a": "x.safetensors"}}""", "metadata", "expected an object")]
    public void Open_MalformedIndex_ThrowsNamingField(string json, string subject, string fragment)
    {
        string index = _folder.WriteText(CheckpointFileNames.SafetensorsIndex, json);
        CheckpointAssert.Throws(() => ShardedCheckpoint.Open(index), index, subject, fragment);
    }

    [Fact]
    public void Open_IndexNotJson_ThrowsNamingIndex()
    {
        string index = _folder.WriteText(CheckpointFileNames.SafetensorsIndex, "{\"weight_map\": ");
        CheckpointAssert.Throws(() => ShardedCheckpoint.Open(index), index, null, "not valid JSON");
    }
}
