using System.Buffers.Binary;
using System.Text;

namespace Quicksilver.Engine.Tests.Checkpoints;

/// <summary>Writes safetensors files byte by byte, so that tests can make every kind of defect.</summary>
internal static class RawSafetensors
{
    /// <summary>Writes the length prefix, <paramref name="headerJson"/> as UTF-8, then <paramref name="data"/>.</summary>
    public static string Write(string path, string headerJson, byte[] data)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        return WriteWithLength(path, (ulong)header.Length, [.. header, .. data]);
    }

    /// <summary>Writes a length prefix of <paramref name="headerLength"/> followed by <paramref name="rest"/>.</summary>
    public static string WriteWithLength(string path, ulong headerLength, byte[] rest)
    {
        var bytes = new byte[8 + rest.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength);
        rest.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
