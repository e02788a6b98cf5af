using System.Collections.Concurrent;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// The tries in flight to each pod (by its address), so that those a hung pod holds before its answer began can be
/// taken back (<see cref="TakeBack"/>) and tried on another pod. A stopped or wedged process still accepts
/// connections, so no transport error ends them; without this they wait out <see cref="Options.RoutingOptions.ActivityTimeout"/>.
/// Each try runs under its own abort token, linked to the client's, for the time it is forwarded.
/// </summary>
internal sealed class UnansweredRequests
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Try, byte>> _byPod = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Runs the rest of the proxy pipeline as a try toward the pod the balancer chose.</summary>
    public async Task ForwardAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetReverseProxyFeature().AvailableDestinations is not [DestinationState destination])
        {
            await next(context);
            return;
        }

        CancellationToken clientAborted = context.RequestAborted;
        using var attempt = new Try(context, clientAborted);
        ConcurrentDictionary<Try, byte> tries = _byPod.GetOrAdd(destination.Model.Config.Address, _ => new ConcurrentDictionary<Try, byte>());
        tries.TryAdd(attempt, 0);
        context.RequestAborted = attempt.Aborted;
        try
        {
            await next(context);
        }
        finally
        {
            context.RequestAborted = clientAborted;
            tries.TryRemove(attempt, out _);
        }
    }

    /// <summary>
    /// Ends the tries to the pod at <paramref name="address"/> whose answers have not begun, each marked
    /// (<see cref="ForwardAttempts.PodHung"/>) for a retry elsewhere; returns how many.
    /// </summary>
    public int TakeBack(string address)
    {
        if (!_byPod.TryGetValue(address, out ConcurrentDictionary<Try, byte>? tries))
        {
            return 0;
        }

        int taken = 0;
        foreach (Try attempt in tries.Keys)
        {
            if (attempt.TakeBack())
            {
                taken++;
            }
        }

        return taken;
    }

    /// <summary>Forgets the pods but those at <paramref name="addresses"/>.</summary>
    public void Retain(IReadOnlySet<string> addresses)
    {
        foreach (string address in _byPod.Keys)
        {
            if (!addresses.Contains(address) && _byPod.TryGetValue(address, out ConcurrentDictionary<Try, byte>? tries) && tries.IsEmpty)
            {
                _byPod.TryRemove(address, out _);
            }
        }
    }

    private sealed class Try(HttpContext context, CancellationToken clientAborted) : IDisposable
    {
        private readonly CancellationTokenSource _aborted = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        private readonly Lock _lock = new();
        private bool _ended;

        public CancellationToken Aborted => _aborted.Token;

        /// <summary>Ends the try unless its answer began or it ended already (the request may be on its next try by now).</summary>
        public bool TakeBack()
        {
            lock (_lock)
            {
                if (_ended || context.Response.HasStarted || _aborted.IsCancellationRequested || context.Features.Get<ForwardAttempts>() is not { } attempts)
                {
                    return false;
                }

                attempts.RecordPodHung();
                _aborted.Cancel();
                return true;
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _ended = true;
            }

            _aborted.Dispose();
        }
    }
}
