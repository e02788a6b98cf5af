using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Tests.Checkpoints;

public sealed class CheckpointLoaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Open_FolderWithSingleFile_OpensIt()
    {
        SafetensorsWriter.Write(_folder.File(CheckpointFileNames.Safetensors), [new("w", TensorDType.F32, [1, 2], [1, 2, 3, 4, 5, 6, 7, 8])]);

        using ITensorSource source = CheckpointLoader.Open(_folder.Path);

        Assert.Equal(_folder.File(CheckpointFileNames.Safetensors), source.SourcePath);
        Assert.Equal(["w"], source.Names);
        Assert.True(source.TryGet("w", out CheckpointTensor? w));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], TensorBytes.Of(w));
    }

    [Fact]
    public void Open_FolderWithIndex_OpensShardsAsOneSource()
    {
        SafetensorsWriter.Write(_folder.File("s1.safetensors"), [new("a", TensorDType.F16, [1], [1, 2])]);
        SafetensorsWriter.Write(_folder.File("s2.safetensors"), [new("b", TensorDType.F16, [1], [3, 4])]);
        _folder.WriteText(CheckpointFileNames.SafetensorsIndex, """{"metadata": {"total_size": 4}, "weight_map": {"a": "s1.safetensors", "b": "s2.safetensors"}}""");

        using ITensorSource source = CheckpointLoader.Open(_folder.Path);

        Assert.Equal(_folder.File(CheckpointFileNames.SafetensorsIndex), source.SourcePath);
        Assert.Equal(["a", "b"], source.Names.Order());
        Assert.True(source.TryGet("b", out CheckpointTensor? b));
        Assert.Equal([3, 4], TensorBytes.Of(b));
        Assert.Equal(_folder.File("s2.safetensors"), b.FilePath);
    }

    [Fact]
    public void Open_FolderWithBoth_PrefersSingleFile()
    {
        SafetensorsWriter.Write(_folder.File(CheckpointFileNames.Safetensors), [new("w", TensorDType.F32, [1], [0, 0, 0, 0])]);
        _folder.WriteText(CheckpointFileNames.SafetensorsIndex, """{"weight_map": {"x": "missing.safetensors"}}""");

        using ITensorSource source = CheckpointLoader.Open(_folder.Path);

        Assert.Equal(["w"], source.Names);
    }

    [Fact]
    public void Open_FolderWithNeither_ThrowsNamingFolderAndFiles()
    {
        SafetensorsWriter.Write(_folder.File("model-00001-of-00002.safetensors"), []);
        CheckpointAssert.Throws(
            () => CheckpointLoader.Open(_folder.Path),
            _folder.Path,
            null,
            CheckpointFileNames.Safetensors,
            CheckpointFileNames.SafetensorsIndex,
            "model-00001-of-00002.safetensors");
    }

    [Fact]
    public void Open_MissingFolder_ThrowsNamingFolder()
    {
        string missing = _folder.File("nope");
        CheckpointAssert.Throws(() => CheckpointLoader.Open(missing), missing, null, "does not exist");
    }

    [Fact]
    public void OpenFile_DefectiveFile_ThrowsNamingFile()
    {
        string path = RawSafetensors.Write(_folder.File("x.safetensors"), "not json", []);
        CheckpointAssert.Throws(() => CheckpointLoader.OpenFile(path), path, null, "not valid JSON");
    }
}
