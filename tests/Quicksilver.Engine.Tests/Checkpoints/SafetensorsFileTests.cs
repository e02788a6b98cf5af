using System.Buffers.Binary;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;

namespace Quicksilver.Engine.Tests.Checkpoints;

public sealed class SafetensorsFileTests : IDisposable
{
    private const string Wte = "model.transformer.wte.weight";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // ---- round trips ---------------------------------------------------------------------------------------------

    [Fact]
    public void Open_F32Values_BytesComeBackBitExact()
    {
        float[] values = [0f, -0f, 1f, -1.5f, float.Epsilon, float.MaxValue, float.PositiveInfinity, float.NegativeInfinity, 3.14159f, 1e-38f];
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        // A NaN with a payload must survive too: compare bits, not values.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 0x7FC0_1234u);
        string path = _folder.File("f32.safetensors");
        SafetensorsWriter.Write(path, [new(Wte, TensorDType.F32, [2, 5], bytes)]);

        using SafetensorsFile file = SafetensorsFile.Open(path);
        Assert.True(file.TryGet(Wte, out CheckpointTensor? tensor));
        Assert.Equal(TensorDType.F32, tensor.DType);
        Assert.Equal([2L, 5L], tensor.Shape);
        Assert.Equal(10, tensor.ElementCount);
        Assert.Equal(40, tensor.ByteLength);
        Assert.Equal(path, tensor.FilePath);
        Assert.Equal(Wte, tensor.Name);
        Assert.Equal(bytes, TensorBytes.Of(tensor));
    }

    [Fact]
    public void Open_F16Values_BytesComeBackBitExact()
    {
        Half[] values = [(Half)0, (Half)(-2.5f), Half.Epsilon, Half.MaxValue, Half.NaN, Half.NegativeInfinity];
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), values[i]);
        }

        string path = _folder.File("f16.safetensors");
        SafetensorsWriter.Write(path, [new("h", TensorDType.F16, [3, 2], bytes)]);

        using SafetensorsFile file = SafetensorsFile.Open(path);
        Assert.True(file.TryGet("h", out CheckpointTensor? tensor));
        Assert.Equal(TensorDType.F16, tensor.DType);
        Assert.Equal(6, tensor.ElementCount);
        Assert.Equal(bytes, TensorBytes.Of(tensor));
    }

    [Fact]
    public void Open_BF16Values_BytesComeBackBitExact()
    {
        float[] values = [1f, -0.0078125f, 65504f, 1e-30f, float.NaN, 3.3e38f, -7f];
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), BFloat16.FromSingle(values[i]));
        }

        string path = _folder.File("bf16.safetensors");
        SafetensorsWriter.Write(path, [new("b", TensorDType.BF16, [values.Length], bytes)]);

        using SafetensorsFile file = SafetensorsFile.Open(path);
        Assert.True(file.TryGet("b", out CheckpointTensor? tensor));
        Assert.Equal(TensorDType.BF16, tensor.DType);
        byte[] read = TensorBytes.Of(tensor);
        Assert.Equal(bytes, read);
        Assert.Equal(-7f, BFloat16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(read.AsSpan(12))));
    }

    [Fact]
    public void Open_SeveralTensorsAndMetadata_ExposesAllInHeaderOrder()
    {
        byte[] a = [.. Enumerable.Range(0, 16).Select(i => (byte)i)];
        byte[] b = [.. Enumerable.Range(100, 4).Select(i => (byte)i)];
        string path = _folder.File("multi.safetensors");
        SafetensorsWriter.Write(
            path,
            [new("a", TensorDType.F32, [2, 2], a), new("empty", TensorDType.F16, [0, 8], []), new("b", TensorDType.BF16, [1, 2], b), new("scalar", TensorDType.F32, [], [1, 2, 3, 4])],
            new Dictionary<string, string> { ["format"] = "pt" });

        using SafetensorsFile file = SafetensorsFile.Open(path);
        Assert.Equal(["a", "empty", "b", "scalar"], file.Names);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(path, file.SourcePath);
        Assert.True(file.TryGet("b", out CheckpointTensor? tb));
        Assert.Equal(b, TensorBytes.Of(tb));
        Assert.True(file.TryGet("empty", out CheckpointTensor? te));
        Assert.Equal(0, te.ElementCount);
        Assert.True(file.TryGet("scalar", out CheckpointTensor? ts));
        Assert.Empty(ts.Shape);
        Assert.Equal(1, ts.ElementCount);
        Assert.False(file.TryGet("missing", out _));
    }

    [Fact]
    public void WriteUnfilled_OpensWithEveryShapeAndZeroBytes_AndTheSameHeaderAsWrite()
    {
        string unfilled = _folder.File("unfilled.safetensors"), written = _folder.File("written.safetensors");
        SafetensorsWriter.WriteUnfilled(unfilled, [("a", TensorDType.BF16, [3, 5]), ("norm", TensorDType.F32, [5])]);
        SafetensorsWriter.Write(written, [new("a", TensorDType.BF16, [3, 5], new byte[30]), new("norm", TensorDType.F32, [5], new byte[20])]);

        Assert.Equal(File.ReadAllBytes(written), File.ReadAllBytes(unfilled));
        using SafetensorsFile file = SafetensorsFile.Open(unfilled);
        Assert.Equal(["a", "norm"], file.Names);
        Assert.True(file.TryGet("a", out CheckpointTensor? a));
        Assert.Equal([3L, 5L], a.Shape);
        Assert.Equal(new byte[30], TensorBytes.Of(a));
        Assert.True(file.TryGet("norm", out CheckpointTensor? norm));
        Assert.Equal(TensorDType.F32, norm.DType);
        Assert.Equal(20, norm.ByteLength);
    }

    [Fact]
    public void Write_DataOfTheWrongLength_ThrowsNamingTheTensor()
    {
        var e = Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(_folder.File("bad.safetensors"), [new("short", TensorDType.F32, [2], new byte[4])]));
        Assert.Contains("'short' has 4 bytes; its shape needs 8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_EmptyHeader_HasNoTensors()
    {
        string path = RawSafetensors.Write(_folder.File("empty.safetensors"), "{}", []);
        using SafetensorsFile file = SafetensorsFile.Open(path);
        Assert.Empty(file.Names);
    }

    [Fact]
    public void TryGet_AfterDispose_ThrowsObjectDisposed()
    {
        string path = _folder.File("d.safetensors");
        SafetensorsWriter.Write(path, [new("x", TensorDType.F32, [1], [0, 0, 128, 63])]);
        SafetensorsFile file = SafetensorsFile.Open(path);
        file.Dispose();
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.TryGet("x", out _));
    }

    // ---- file-level defects --------------------------------------------------------------------------------------

    [Fact]
    public void Open_MissingFile_ThrowsNamingFile()
    {
        string path = _folder.File("absent.safetensors");
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, null, "does not exist");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Open_FileShorterThan8Bytes_ThrowsTruncated(int length)
    {
        string path = _folder.File("short.safetensors");
        File.WriteAllBytes(path, new byte[length]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, null, "truncated", $"{length} bytes");
    }

    [Fact]
    public void Open_HeaderLengthPastEndOfFile_ThrowsTruncated()
    {
        string path = RawSafetensors.WriteWithLength(_folder.File("hlen.safetensors"), 1000, "{}"u8.ToArray());
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, null, "header length 1000", "truncated");
    }

    [Fact]
    public void Open_HeaderNotJson_ThrowsInvalidJson()
    {
        string path = RawSafetensors.Write(_folder.File("json.safetensors"), "{\"a\": {\"dtype\": ", []);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, null, "not valid JSON");
    }

    [Fact]
    public void Open_HeaderNotAnObject_ThrowsNotObject()
    {
        string path = RawSafetensors.Write(_folder.File("array.safetensors"), "[1, 2]", []);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, null, "an array", "expected a JSON object");
    }

    [Fact]
    public void Open_MetadataNotStrings_ThrowsNamingMetadata()
    {
        string path = RawSafetensors.Write(_folder.File("meta.safetensors"), """{"__metadata__": {"format": 1}}""", []);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, "__metadata__", "'format' must be a string");
    }

    [Fact]
    public void Open_DuplicateTensorName_ThrowsNamingTensor()
    {
        string path = RawSafetensors.Write(
            _folder.File("dup.safetensors"),
            """{"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}""",
            new byte[8]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, "x", "appears twice");
    }

    // ---- tensor entry defects ------------------------------------------------------------------------------------

    [Theory]
    [InlineData("dtype", """{"shape": [1], "data_offsets": [0, 4]}""")]
    [InlineData("shape", """{"dtype": "F32", "data_offsets": [0, 4]}""")]
    [InlineData("data_offsets", """{"dtype": "F32", "shape": [1]}""")]
    public void Open_EntryMissingField_ThrowsNamingTensorAndField(string field, string entry)
    {
        string path = RawSafetensors.Write(_folder.File("missing.safetensors"), $$$"""{"{{{Wte}}}": {{{entry}}}}""", new byte[4]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, Wte, $"no '{field}'");
    }

    [Theory]
    [InlineData("""{"dtype": 32, "shape": [1], "data_offsets": [0, 4]}""", "dtype must be a string")]
    [InlineData("""{"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}""", "shape must be an array")]
    [InlineData("""{"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}""", "shape[0] must be an integer")]
    [InlineData("""{"dtype": "F32", "shape": [1], "data_offsets": {"begin": 0}}""", "data_offsets must be an array of two integers")]
    [InlineData("""{"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}""", "data_offsets must be an array of two integers")]
    [InlineData("""{"dtype": "F32", "shape": [1], "data_offsets": [0, "4"]}""", "data_offsets[1] must be a non-negative integer")]
    [InlineData("""{"dtype": "F32", "shape": [1], "data_offsets": [-4, 4]}""", "data_offsets[0] must be a non-negative integer")]
    [InlineData("""[1, 2, 3]""", "expected a tensor entry object")]
    public void Open_EntryWrongJsonType_ThrowsNamingTensorAndField(string entry, string fragment)
    {
        string path = RawSafetensors.Write(_folder.File("types.safetensors"), $$$"""{"{{{Wte}}}": {{{entry}}}}""", new byte[4]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, Wte, fragment);
    }

    [Theory]
    [InlineData("I64")]
    [InlineData("F64")]
    [InlineData("U8")]
    [InlineData("BOOL")]
    [InlineData("F8_E4M3")]
    public void Open_ValidButUnsupportedDType_ThrowsUnsupported(string dtype)
    {
        string path = RawSafetensors.Write(_folder.File("dtype.safetensors"), $$$"""{"{{{Wte}}}": {"dtype": "{{{dtype}}}", "shape": [0], "data_offsets": [0, 0]}}""", []);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, Wte, $"unsupported dtype {dtype} (supported: F32, F16, BF16)");
    }

    [Theory]
    [InlineData("F33")]
    [InlineData("f32")]
    [InlineData("")]
    public void Open_UnknownDType_ThrowsUnknown(string dtype)
    {
        string path = RawSafetensors.Write(_folder.File("dtype.safetensors"), $$$"""{"{{{Wte}}}": {"dtype": "{{{dtype}}}", "shape": [1], "data_offsets": [0, 4]}}""", new byte[4]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, Wte, $"unknown dtype '{dtype}'");
    }

    [Fact]
    public void Open_NegativeShapeDim_ThrowsNamingTensor()
    {
        string path = RawSafetensors.Write(_folder.File("neg.safetensors"), $$$"""{"{{{Wte}}}": {"dtype": "F32", "shape": [2, -2], "data_offsets": [0, 16]}}""", new byte[16]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, Wte, "shape[1] is negative (-2)");
    }

    [Fact]
    public void Open_OffsetsBeginAfterEnd_ThrowsNamingTensor()
    {
        string path = RawSafetensors.Write(_folder.File("order.safetensors"), $$$"""{"{{{Wte}}}": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}""", new byte[8]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, Wte, "data_offsets [8, 4] begin after they end");
    }

    [Fact]
    public void Open_OffsetsEndPastDataSection_ThrowsOutOfRange()
    {
        string path = RawSafetensors.Write(
            _folder.File("model.safetensors"),
            $$$"""{"{{{Wte}}}": {"dtype": "F32", "shape": [1024], "data_offsets": [0, 4096]}}""",
            new byte[2048]);
        CheckpointException e = CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, Wte);
        Assert.EndsWith(
            $"model.safetensors: '{Wte}': data_offsets [0, 4096] end past the data section (2048 bytes); the file may be truncated",
            e.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ByteLengthNotShapeTimesElementSize_ThrowsNamingTensor()
    {
        string path = RawSafetensors.Write(_folder.File("len.safetensors"), $$$"""{"{{{Wte}}}": {"dtype": "BF16", "shape": [2, 3], "data_offsets": [0, 8]}}""", new byte[8]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, Wte, "span 8 bytes", "[2, 3] of BF16 needs 6 × 2 = 12 bytes");
    }

    [Fact]
    public void Open_ShapeProductOverflows_ThrowsNamingTensor()
    {
        string path = RawSafetensors.Write(
            _folder.File("huge.safetensors"),
            $$$"""{"{{{Wte}}}": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 4]}}""",
            new byte[4]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, Wte, "overflows");
    }

    // ---- layout defects ------------------------------------------------------------------------------------------

    [Fact]
    public void Open_OverlappingTensors_ThrowsNamingBoth()
    {
        string path = RawSafetensors.Write(
            _folder.File("overlap.safetensors"),
            """{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}""",
            new byte[12]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, "b", "overlap", "'a' [0, 8]");
    }

    [Fact]
    public void Open_HoleBetweenTensors_ThrowsHole()
    {
        string path = RawSafetensors.Write(
            _folder.File("hole.safetensors"),
            """{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}""",
            new byte[12]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, "b", "hole of 4 unused bytes after 'a' [0, 4]", "forbids holes");
    }

    [Fact]
    public void Open_HoleAtStartOfDataSection_ThrowsHole()
    {
        string path = RawSafetensors.Write(_folder.File("hole0.safetensors"), """{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}""", new byte[8]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, "a", "hole of 4 unused bytes at the start of the data section");
    }

    [Fact]
    public void Open_TrailingBytesAfterLastTensor_ThrowsHole()
    {
        string path = RawSafetensors.Write(_folder.File("tail.safetensors"), """{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}""", new byte[10]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, null, "'a'", "6 trailing bytes", "forbids holes");
    }

    [Fact]
    public void Open_ValidFileCutShort_ThrowsTruncated()
    {
        string path = _folder.File("cut.safetensors");
        SafetensorsWriter.Write(path, [new("a", TensorDType.F32, [4], new byte[16]), new(Wte, TensorDType.F32, [4], new byte[16])]);
        byte[] whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole[..^5]);
        CheckpointAssert.Throws(() => SafetensorsFile.Open(path), path, Wte, "[16, 32] end past the data section (27 bytes)", "truncated");
    }
}
