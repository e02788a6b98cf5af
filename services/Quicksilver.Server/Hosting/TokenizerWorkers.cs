using Microsoft.Extensions.Options;

namespace Quicksilver.Server.Hosting;

/// <summary>
/// The slots in which requests tokenise (<see cref="LimitsOptions.TokenizerWorkers"/>): tokenising a 1 MiB body takes
/// about a second of a core, before any admission control, so without a bound a burst of large prompts would take
/// every core from the step loop and the health probes. A request waits for a slot asynchronously (holding no thread)
/// until its client leaves.
/// </summary>
internal sealed class TokenizerWorkers(IOptions<LimitsOptions> limits) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(limits.Value.TokenizerWorkers ?? Math.Max(1, Environment.ProcessorCount / 2));

    /// <summary>Runs <paramref name="work"/> in a slot, once one is free.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return work();
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
