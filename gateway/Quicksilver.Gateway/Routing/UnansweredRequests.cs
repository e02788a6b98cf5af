using System.Collections.Concurrent;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// The tries in flight toward the pods, so that those a hung pod holds can be taken back (<see cref="TakeBack"/>): tried
/// on another pod when their answers have not begun, their streams ended when they have. A stopped or wedged process
/// still accepts connections, so no transport error ends them; without this they wait out
/// <see cref="Options.RoutingOptions.ActivityTimeout"/>. Each try runs under its own abort token, linked to the
/// client's, for the time it is forwarded.
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
    /// Takes back the tries toward the pod at <paramref name="address"/> (<see cref="ForwardAttempts.TakeBack"/>): those
    /// whose answers have not begun are ended, marked (<see cref="ForwardAttempts.PodHung"/>) for a retry elsewhere; the
    /// answers begun are cut. Returns how many of each. Rare (a pod hangs), so the tries of every pod are looked through
    /// rather than kept by pod.
    /// </summary>
    public (int TakenBack, int Cut) TakeBack(string address)
    {
        (int takenBack, int cut) = (0, 0);
        // Enumerating the dictionary itself takes none of its locks (its Keys would take them all, and copy).
        foreach ((Try attempt, _) in _tries)
        {
            if (!string.Equals(attempt.Address, address, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            switch (attempt.TakeBack())
            {
                case TakeBackOutcome.TakenBack:
                    takenBack++;
                    break;
                case TakeBackOutcome.AnswerCut:
                    cut++;
                    break;
            }
        }

        return (takenBack, cut);
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
        /// Takes the try back: its token is cancelled when its answer had not begun. That is done outside the lock:
        /// cancelling runs the forwarder's callbacks, which may end the try on this thread.
        /// </summary>
        public TakeBackOutcome TakeBack()
        {
            TakeBackOutcome outcome;
            lock (_lock)
            {
                // A try whose token fired already (the client left, the route's timeout) is ending on its own.
                outcome = _ended || _aborted.IsCancellationRequested ? TakeBackOutcome.None : attempts.TakeBack(_attempt);
                if (outcome != TakeBackOutcome.TakenBack)
                {
                    return outcome;
                }

                _cancelling = true;
            }

            try
            {
                _aborted.Cancel();
            }
            finally
            {
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
            }

            return outcome;
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
