namespace Quicksilver.Engine.Compute;

/// <summary>
/// One sequence's key/value cache on a backend's device (Fast-dLLM block caching). For every layer it holds the
/// post-RoPE keys and the values of each canvas position, one row of <see cref="KeyValueWidth"/> elements per
/// position as in the step's key/value buffers; layout <c>[layer][keys | values][position][width]</c>, so a cache
/// holds <c>Layers × 2 × Positions × KeyValueWidth</c> elements in the backend's activation precision. Rows are
/// written by <see cref="IComputeBackend.WriteKvCache"/> and read by <see cref="IComputeBackend.Attention"/>
/// through <see cref="AttentionKeys.Cache"/>; their contents are undefined until written. Dispose frees the memory.
/// </summary>
public interface IKvCache : IDisposable
{
    /// <summary>Transformer layers held.</summary>
    int Layers { get; }

    /// <summary>Canvas positions held per layer.</summary>
    int Positions { get; }

    /// <summary>Elements of one key (or value) row: key/value heads × head width.</summary>
    int KeyValueWidth { get; }

    /// <summary>Bytes of device memory the cache holds.</summary>
    long Bytes { get; }
}
