using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Quicksilver.Engine.Checkpoints;

/// <summary>
/// Writes tensors in the safetensors format: an 8-byte little-endian header length, a JSON header padded with
/// spaces to a multiple of 8 bytes, then the tensors' bytes back to back in header order.
/// Used by the model builder and by tests that make checkpoints.
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>One tensor to write: its raw little-endian bytes must hold exactly shape-product elements.</summary>
    /// <param name="Name">Tensor name.</param>
    /// <param name="DType">Element type of <paramref name="Data"/>.</param>
    /// <param name="Shape">Shape, outermost first.</param>
    /// <param name="Data">Raw element bytes.</param>
    public sealed record Entry(string Name, TensorDType DType, long[] Shape, byte[] Data);

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/>, with optional <c>__metadata__</c>.</summary>
    public static void Write(string path, IReadOnlyList<Entry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (Entry tensor in tensors)
        {
            long expected = ByteLength(tensor.DType, tensor.Shape);
            if (expected != tensor.Data.Length)
            {
                throw new ArgumentException($"Tensor '{tensor.Name}' has {tensor.Data.Length} bytes; its shape needs {expected}.", nameof(tensors));
            }
        }

        using FileStream stream = WriteHeader(path, [.. tensors.Select(t => (t.Name, t.DType, t.Shape))], metadata);
        foreach (Entry tensor in tensors)
        {
            stream.Write(tensor.Data);
        }
    }

    /// <summary>
    /// Writes the header of <paramref name="tensors"/> and sizes the file for their bytes without writing them: the
    /// data region is a hole that reads as zeros and, on file systems with sparse files, takes no space. For
    /// benchmarks whose backend makes its own weights of each tensor's name and shape (a 16 GB model in an instant).
    /// </summary>
    public static void WriteUnfilled(string path, IReadOnlyList<(string Name, TensorDType DType, long[] Shape)> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        using FileStream stream = WriteHeader(path, tensors, metadata: null);
        stream.SetLength(stream.Position + tensors.Sum(t => ByteLength(t.DType, t.Shape)));
    }

    private static long ByteLength(TensorDType dtype, long[] shape) => shape.Aggregate(1L, (a, b) => a * b) * dtype.ElementSize();

    /// <summary>Creates <paramref name="path"/> and writes the header length and the header; the stream is left at the data region.</summary>
    private static FileStream WriteHeader(string path, IReadOnlyList<(string Name, TensorDType DType, long[] Shape)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        byte[] header = BuildHeader(tensors, metadata);
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        try
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static byte[] BuildHeader(IReadOnlyList<(string Name, TensorDType DType, long[] Shape)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                json.WriteStartObject("__metadata__");
                foreach ((string key, string value) in metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach ((string name, TensorDType dtype, long[] shape) in tensors)
            {
                long bytes = ByteLength(dtype, shape);
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype.ToSafetensorsName());
                json.WriteStartArray("shape");
                foreach (long dim in shape)
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }

            json.WriteEndObject();
        }

        int padded = (int)((buffer.Length + 7) / 8 * 8);
        var header = new byte[padded];
        buffer.ToArray().CopyTo(header, 0);
        Encoding.ASCII.GetBytes(new string(' ', padded - (int)buffer.Length)).CopyTo(header, (int)buffer.Length);
        return header;
    }
}
