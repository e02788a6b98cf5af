namespace Quicksilver.Engine.Constraints;

/// <summary>
/// A recognizer of a byte language read as a prefix, as a value type: trying a token is copying the cursor and stepping
/// the copy, and equal cursors accept the same continuations (so what one refuses can be remembered for the other).
/// </summary>
/// <typeparam name="TSelf">The cursor type itself.</typeparam>
internal interface IByteCursor<TSelf> : IEquatable<TSelf>
    where TSelf : struct, IByteCursor<TSelf>
{
    /// <summary>Whether the bytes so far are a whole sentence of the language.</summary>
    bool IsComplete { get; }

    /// <summary>False (the cursor then undefined) when no sentence of the language starts with the bytes so far and <paramref name="b"/>.</summary>
    bool Step(byte b);
}

/// <summary>What every <see cref="IByteCursor{TSelf}"/> can do.</summary>
internal static class ByteCursor
{
    /// <summary>Steps over every byte; false (the cursor then undefined) at the first byte refused.</summary>
    public static bool Step<TCursor>(ref this TCursor cursor, ReadOnlySpan<byte> bytes)
        where TCursor : struct, IByteCursor<TCursor>
    {
        foreach (byte b in bytes)
        {
            if (!cursor.Step(b))
            {
                return false;
            }
        }

        return true;
    }
}
