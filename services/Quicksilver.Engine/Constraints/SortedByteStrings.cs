namespace Quicksilver.Engine.Constraints;

/// <summary>
/// Byte strings sorted by their bytes, read one byte at a time: those that start with the bytes read so far are a
/// range, and the shortest of them is its first.
/// </summary>
internal static class SortedByteStrings
{
    /// <summary>The distinct strings, sorted.</summary>
    public static byte[][] Sort(IEnumerable<byte[]> strings) =>
        [.. strings.DistinctBy(Convert.ToHexString).Order(Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y)))];

    /// <summary>Narrows the range [<paramref name="first"/>, <paramref name="end"/>) to the strings whose byte at <paramref name="offset"/> is <paramref name="b"/>.</summary>
    public static (int First, int End) Narrow(byte[][] sorted, int first, int end, int offset, byte b)
    {
        while (first < end && (sorted[first].Length <= offset || sorted[first][offset] != b))
        {
            first++;
        }

        int last = first;
        while (last < end && sorted[last].Length > offset && sorted[last][offset] == b)
        {
            last++;
        }

        return (first, last);
    }
}
