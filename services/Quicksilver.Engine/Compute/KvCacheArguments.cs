namespace Quicksilver.Engine.Compute;

/// <summary>The argument checks every backend makes before it reads or writes K/V cache rows or a sequence's keys.</summary>
internal static class KvCacheArguments
{
    /// <summary>
    /// Throws unless <paramref name="write"/> moves rows within the <paramref name="rowsInUse"/> rows of key/value
    /// buffers of <paramref name="width"/> to positions and a layer its cache has.
    /// </summary>
    public static void CheckWrite(KvCacheWrite write, int layer, int width, int rowsInUse)
    {
        IKvCache cache = write.Cache ?? throw new ArgumentException("A K/V cache write has no cache.", nameof(write));
        CheckLayer(cache, layer, width, "a write");
        if (write.Count < 0 || write.SourceRow < 0 || write.Position < 0
            || (long)write.SourceRow + write.Count > rowsInUse || (long)write.Position + write.Count > cache.Positions)
        {
            throw new ArgumentOutOfRangeException(
                nameof(write),
                $"Rows [{write.SourceRow}, {(long)write.SourceRow + write.Count}) of {rowsInUse} in use do not fit positions [{write.Position}, {(long)write.Position + write.Count}) of a cache of {cache.Positions}.");
        }
    }

    /// <summary>Throws unless sequence <paramref name="sequence"/>'s keys lie within <paramref name="available"/> rows (or cache positions).</summary>
    public static void CheckKeys(AttentionKeys keys, int available, int sequence)
    {
        if (keys.Start < 0 || keys.Count < 0 || (long)keys.Start + keys.Count > available)
        {
            throw new ArgumentException($"Sequence {sequence} attends to rows [{keys.Start}, {(long)keys.Start + keys.Count}) of {available}.", nameof(keys));
        }
    }

    /// <summary>Throws unless <paramref name="cache"/> holds <paramref name="layer"/> with rows of <paramref name="width"/>.</summary>
    public static void CheckLayer(IKvCache cache, int layer, int width, string user)
    {
        if (cache.KeyValueWidth != width || (uint)layer >= (uint)cache.Layers)
        {
            throw new ArgumentException($"A K/V cache of {cache.Layers} layers of rows of {cache.KeyValueWidth} cannot serve {user} at layer {layer} with rows of {width}.", nameof(cache));
        }
    }
}
