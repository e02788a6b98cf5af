using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Server.Http;

/// <summary>
/// The value of <c>X-Quicksilver-Load</c>: <c>waiting=&lt;int&gt;, running=&lt;int&gt;, tokens=&lt;int&gt;</c> (the engine's
/// <see cref="EngineLoad.Waiting"/>, <see cref="EngineLoad.Running"/> and <see cref="EngineLoad.TokensInFlight"/>), the
/// load piggy-backed on every answer of the generation endpoints so the gateway balances on fresh figures between its
/// polls of <c>/load</c>.
/// </summary>
internal static class LoadHeader
{
    public static string Format(EngineLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        return $"waiting={load.Waiting}, running={load.Running}, tokens={load.TokensInFlight}";
    }
}
