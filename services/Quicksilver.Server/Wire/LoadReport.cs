namespace Quicksilver.Server.Wire;

/// <summary>The body of <c>GET /load</c>: the served model's engine load, the signal the gateway balances on.</summary>
/// <param name="Model">The served model's id.</param>
/// <param name="Waiting">Requests queued for a place in the batch.</param>
/// <param name="Running">Sequences in the engine's step loop.</param>
/// <param name="TokensInFlight">Canvas tokens (prompt + answer) of the running sequences: the work of one step.</param>
/// <param name="Draining">Whether the pod is shutting down and refuses new requests.</param>
/// <param name="Ready">What <c>GET /health/ready</c> answers now (the same checks): whether the pod should get traffic.</param>
/// <param name="MaxTokens">The largest <c>max_tokens</c> a request may ask for (<c>Quicksilver:Limits:MaxTokens</c>).</param>
/// <param name="ChatDefaultMaxTokens">The most answer tokens a chat request that names none runs to.</param>
internal sealed record LoadReport(string Model, int Waiting, int Running, int TokensInFlight, bool Draining, bool Ready, int MaxTokens, int ChatDefaultMaxTokens);
