namespace Quicksilver.Engine.Scheduling;

/// <summary>A snapshot of the engine's load, the signal the gateway balances on.</summary>
/// <param name="Waiting">Requests queued for a place in the batch.</param>
/// <param name="Running">Sequences in the step loop.</param>
/// <param name="TokensInFlight">Canvas tokens (prompt + answer) of the running sequences: the work of one step.</param>
/// <param name="Draining">Whether the engine has stopped admitting.</param>
public sealed record EngineLoad(int Waiting, int Running, int TokensInFlight, bool Draining);
