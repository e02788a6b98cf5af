namespace Quicksilver.Engine.Compute;

/// <summary>
/// Rows <c>[SourceRow, SourceRow + Count)</c> of a step's key and value buffers, stored at positions
/// <c>[Position, Position + Count)</c> of <paramref name="Cache"/> (see <see cref="IComputeBackend.WriteKvCache"/>).
/// </summary>
/// <param name="Cache">The sequence's cache.</param>
/// <param name="SourceRow">First row in the key/value buffers.</param>
/// <param name="Position">First canvas position written.</param>
/// <param name="Count">Rows written.</param>
public readonly record struct KvCacheWrite(IKvCache Cache, int SourceRow, int Position, int Count);
