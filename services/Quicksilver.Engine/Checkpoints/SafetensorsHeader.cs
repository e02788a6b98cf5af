using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Quicksilver.Engine.Checkpoints;

/// <summary>
/// The parsed and validated header of a safetensors file: an 8-byte little-endian length N, N bytes of JSON
/// (tensor entries plus an optional <c>__metadata__</c> string map), then the data section, which the tensors
/// must cover exactly, without overlaps or holes.
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>Largest header accepted; the reference implementation uses the same limit.</summary>
    internal const long MaxHeaderBytes = 100L * 1024 * 1024;

    private const string MetadataKey = "__metadata__";

    private SafetensorsHeader(IReadOnlyList<SafetensorsHeaderEntry> entries, IReadOnlyDictionary<string, string> metadata, long dataOffset, long dataLength)
    {
        Entries = entries;
        Metadata = metadata;
        DataOffset = dataOffset;
        DataLength = dataLength;
    }

    /// <summary>Tensor entries in header order.</summary>
    public IReadOnlyList<SafetensorsHeaderEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> map (empty when the header has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>File offset of the data section (8 + header length).</summary>
    public long DataOffset { get; }

    /// <summary>Bytes from the start of the data section to the end of the file.</summary>
    public long DataLength { get; }

    /// <summary>Reads and validates the header of the open file <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointException">The file is truncated or its header is malformed.</exception>
    public static SafetensorsHeader Read(string path, SafeFileHandle file, long fileLength)
    {
        if (fileLength < 8)
        {
            throw new CheckpointException(path, null,
                $"the file is {fileLength} bytes, too short to hold the 8-byte header length; the file is truncated or empty");
        }

        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(path, file, prefix, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(fileLength - 8))
        {
            throw new CheckpointException(path, null,
                $"header length {headerLength} runs past the end of the file ({fileLength} bytes); the file is truncated or not a safetensors file");
        }

        if (headerLength > MaxHeaderBytes)
        {
            throw new CheckpointException(path, null, $"header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes");
        }

        var headerBytes = new byte[(int)headerLength];
        ReadExactly(path, file, headerBytes, 8);
        long dataOffset = 8 + (long)headerLength;
        long dataLength = fileLength - dataOffset;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, null, $"the header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(path, null, $"the header is {JsonFields.Describe(root)}; expected a JSON object of tensor entries");
            }

            var entries = new List<SafetensorsHeaderEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
            foreach (JsonProperty property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new CheckpointException(path, property.Name, "appears twice in the header");
                }

                if (property.Name == MetadataKey)
                {
                    metadata = ReadMetadata(path, property.Value);
                    continue;
                }

                entries.Add(ReadEntry(path, property.Name, property.Value, dataLength));
            }

            CheckLayout(path, entries, dataLength);
            return new SafetensorsHeader(entries, metadata, dataOffset, dataLength);
        }
    }

    private static Dictionary<string, string> ReadMetadata(string path, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException(path, MetadataKey, $"expected an object of strings, got {JsonFields.Describe(value)}");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new CheckpointException(path, MetadataKey, $"entry '{item.Name}' must be a string, got {JsonFields.Describe(item.Value)}");
            }

            metadata[item.Name] = item.Value.GetString()!;
        }

        return metadata;
    }

    private static SafetensorsHeaderEntry ReadEntry(string path, string name, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException(path, name, $"expected a tensor entry object with dtype, shape and data_offsets, got {JsonFields.Describe(value)}");
        }

        JsonElement dtypeValue = RequiredMember(path, name, value, "dtype");
        if (dtypeValue.ValueKind != JsonValueKind.String)
        {
            throw new CheckpointException(path, name, $"dtype must be a string, got {JsonFields.Describe(dtypeValue)}");
        }

        if (!SafetensorsDTypeNames.TryParse(dtypeValue.GetString()!, out TensorDType dtype, out string? dtypeProblem))
        {
            throw new CheckpointException(path, name, dtypeProblem!);
        }

        long[] shape = ReadShape(path, name, RequiredMember(path, name, value, "shape"));
        (long begin, long end) = ReadOffsets(path, name, RequiredMember(path, name, value, "data_offsets"));

        long elements = 1;
        try
        {
            foreach (long dim in shape)
            {
                elements = checked(elements * dim);
            }

            _ = checked(elements * dtype.ElementSize());
        }
        catch (OverflowException)
        {
            throw new CheckpointException(path, name, $"shape [{string.Join(", ", shape)}] is too large: its byte count overflows a 64-bit integer");
        }

        long expectedBytes = elements * dtype.ElementSize();
        if (end - begin != expectedBytes)
        {
            throw new CheckpointException(path, name,
                $"data_offsets [{begin}, {end}] span {end - begin} bytes, but shape [{string.Join(", ", shape)}] of {dtype.ToSafetensorsName()} needs {elements} × {dtype.ElementSize()} = {expectedBytes} bytes");
        }

        if (end > dataLength)
        {
            throw new CheckpointException(path, name,
                $"data_offsets [{begin}, {end}] end past the data section ({dataLength} bytes); the file may be truncated");
        }

        return new SafetensorsHeaderEntry(name, dtype, shape, begin, end);
    }

    private static JsonElement RequiredMember(string path, string name, JsonElement entry, string member)
    {
        if (!entry.TryGetProperty(member, out JsonElement value))
        {
            throw new CheckpointException(path, name, $"the tensor entry has no '{member}'");
        }

        return value;
    }

    private static long[] ReadShape(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException(path, name, $"shape must be an array of integers, got {JsonFields.Describe(value)}");
        }

        var shape = new long[value.GetArrayLength()];
        int i = 0;
        foreach (JsonElement dim in value.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long size))
            {
                throw new CheckpointException(path, name, $"shape[{i}] must be an integer, got {JsonFields.Describe(dim)}");
            }

            if (size < 0)
            {
                throw new CheckpointException(path, name, $"shape[{i}] is negative ({size})");
            }

            shape[i++] = size;
        }

        return shape;
    }

    private static (long Begin, long End) ReadOffsets(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2)
        {
            throw new CheckpointException(path, name, $"data_offsets must be an array of two integers [begin, end], got {JsonFields.Describe(value)}");
        }

        var offsets = new long[2];
        int i = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long offset) || offset < 0)
            {
                throw new CheckpointException(path, name, $"data_offsets[{i}] must be a non-negative integer, got {JsonFields.Describe(item)}");
            }

            offsets[i++] = offset;
        }

        if (offsets[0] > offsets[1])
        {
            throw new CheckpointException(path, name, $"data_offsets [{offsets[0]}, {offsets[1]}] begin after they end");
        }

        return (offsets[0], offsets[1]);
    }

    /// <summary>The tensors must tile the data section: sorted by offset, each starts where the previous one ended.</summary>
    private static void CheckLayout(string path, List<SafetensorsHeaderEntry> entries, long dataLength)
    {
        SafetensorsHeaderEntry[] sorted = [.. entries.OrderBy(e => e.Begin).ThenBy(e => e.End)];
        long cursor = 0;
        SafetensorsHeaderEntry? previous = null;
        foreach (SafetensorsHeaderEntry entry in sorted)
        {
            if (entry.Begin < cursor)
            {
                throw new CheckpointException(path, entry.Name,
                    $"data_offsets {entry.Offsets} overlap those of '{previous!.Name}' {previous.Offsets}");
            }

            if (entry.Begin > cursor)
            {
                string after = previous is null ? "at the start of the data section" : $"after '{previous.Name}' {previous.Offsets}";
                throw new CheckpointException(path, entry.Name,
                    $"data_offsets {entry.Offsets} leave a hole of {entry.Begin - cursor} unused bytes {after}; safetensors forbids holes");
            }

            previous = entry;
            cursor = entry.End;
        }

        if (cursor < dataLength)
        {
            string last = previous is null ? "the header lists no tensors" : $"the last tensor, '{previous.Name}', ends at {cursor}";
            throw new CheckpointException(path, null,
                $"the data section has {dataLength} bytes but {last}: {dataLength - cursor} trailing bytes belong to no tensor; safetensors forbids holes");
        }
    }

    private static void ReadExactly(string path, SafeFileHandle file, Span<byte> buffer, long offset)
    {
        int done = 0;
        try
        {
            while (done < buffer.Length)
            {
                int read = RandomAccess.Read(file, buffer[done..], offset + done);
                if (read == 0)
                {
                    throw new CheckpointException(path, null, $"unexpected end of file at byte {offset + done}; the file is truncated");
                }

                done += read;
            }
        }
        catch (IOException e)
        {
            throw new CheckpointException(path, null, $"cannot read the file: {e.Message}", e);
        }
    }
}
