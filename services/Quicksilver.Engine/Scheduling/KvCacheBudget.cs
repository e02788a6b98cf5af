namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// The bytes of K/V cache the running sequences hold, against <see cref="EngineOptions.MaxKvCacheBytes"/>. Reserved
/// and released by the step loop; read from any thread.
/// </summary>
internal sealed class KvCacheBudget(long? limit)
{
    private long _inUse;

    /// <summary>Bytes reserved now.</summary>
    public long InUse => Interlocked.Read(ref _inUse);

    /// <summary>The limit; null for none.</summary>
    public long? Limit => limit;

    /// <summary>Whether a cache of <paramref name="bytes"/> could ever be reserved (alone).</summary>
    public bool CanEverHold(long bytes) => limit is not { } max || bytes <= max;

    /// <summary>Reserves <paramref name="bytes"/> when they fit beside what is in use.</summary>
    public bool TryReserve(long bytes)
    {
        if (limit is { } max && InUse + bytes > max)
        {
            return false;
        }

        Interlocked.Add(ref _inUse, bytes);
        return true;
    }

    /// <summary>Gives back a reservation.</summary>
    public void Release(long bytes) => Interlocked.Add(ref _inUse, -bytes);
}
