using System.Collections.Concurrent;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// The tries in flight toward the pods, so that those a hung pod holds before their answers began can be taken back
/// (<see cref="TakeBack"/>) and tried on another pod. A stopped or wedged process still accepts connections, so no
/// transport error ends them; without this they wait out <see cref="Options.RoutingOptions.ActivityTimeout"/>. Each try
/// runs under its own abort token, linked to the client's, for the time it is forwarded.
/// </summary>
internal sealed class UnansweredRequests
{
    private readonly ConcurrentDictionary<Try, byte> _tries = new();

    /// <summary>Runs the rest of the proxy pipeline as a try toward the pod the balancer chose.</summary>
    public async Task ForwardAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetReverseProxyFeature().AvailableDestinations is not [DestinationState destination]
            || context.Features.Get<ForwardAttempts>() is not { } attempts)
        {
            await next(context);
            return;
        }

        CancellationToken clientAborted = context.RequestAborted;
        using var attempt = new Try(destination.Model.Config.Address, attempts, clientAborted);
        _tries.TryAdd(attempt, 0);
        context.RequestAborted = attempt.Aborted;
        try
        {
            await next(context);
        }
        finally
        {
            context.RequestAborted = clientAborted;
            _tries.TryRemove(attempt, out _);
        }
    }

    /// <summary>
    /// Ends the tries toward the pod at <paramref name="address"/> whose answers have not begun, each marked
    /// (<see cref="ForwardAttempts.PodHung"/>) for a retry elsewhere; returns how many. Rare (a pod hangs), so the tries
    /// of every pod are looked through rather than kept by pod.
    /// </summary>
    public int TakeBack(string address)
    {
        int taken = 0;
        foreach (Try attempt in _tries.Keys)
        {
            if (string.Equals(attempt.Address, address, StringComparison.OrdinalIgnoreCase) && attempt.TakeBack())
            {
                taken++;
            }
        }

        return taken;
    }

    private sealed class Try(string address, ForwardAttempts attempts, CancellationToken clientAborted) : IDisposable
    {
        private readonly CancellationTokenSource _aborted = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        private readonly int _attempt = attempts.Attempt;
        private readonly Lock _lock = new();
        private bool _ended;
        private bool _cancelling;

        public string Address => address;

        public CancellationToken Aborted => _aborted.Token;

        /// <summary>
        /// Ends the try unless its answer began, it ended, or it was taken back already. The token is cancelled outside
        /// the lock: cancelling runs the forwarder's callbacks, which may end the try on this thread.
        /// </summary>
        public bool TakeBack()
        {
            lock (_lock)
            {
                if (_ended || !attempts.TryTakeBack(_attempt))
                {
                    return false;
                }

                _cancelling = true;
            }

            _aborted.Cancel();
            bool endedMeanwhile;
            lock (_lock)
            {
                _cancelling = false;
                endedMeanwhile = _ended;
            }

            if (endedMeanwhile)
            {
                _aborted.Dispose();
            }

            return true;
        }

        /// <summary>Ends the try; the token is disposed now, or by a take-back still cancelling it.</summary>
        public void Dispose()
        {
            lock (_lock)
            {
                _ended = true;
                if (_cancelling)
                {
                    return;
                }
            }

            _aborted.Dispose();
        }
    }
}
