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
        byte[] header = BuildHeader(tensors, metadata);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (Entry tensor in tensors)
        {
            stream.Write(tensor.Data);
        }
    }

    private static byte[] BuildHeader(IReadOnlyList<Entry> tensors, IReadOnlyDictionary<string, string>? metadata)
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
            foreach (Entry tensor in tensors)
            {
                long expected = tensor.Shape.Aggregate(1L, (a, b) => a * b) * tensor.DType.ElementSize();
                if (expected != tensor.Data.Length)
                {
                    throw new ArgumentException($"Tensor '{tensor.Name}' has {tensor.Data.Length} bytes; its shape needs {expected}.", nameof(tensors));
                }

                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.DType.ToSafetensorsName());
                json.WriteStartArray("shape");
                foreach (long dim in tensor.Shape)
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + tensor.Data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += tensor.Data.Length;
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
