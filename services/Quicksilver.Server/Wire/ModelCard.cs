namespace Quicksilver.Server.Wire;

/// <summary>One served model.</summary>
/// <param name="Id">The name to pass as <c>model</c>.</param>
/// <param name="Object">Always <c>model</c>.</param>
/// <param name="Created">Unix time in seconds when the model was loaded.</param>
/// <param name="OwnedBy">Always <c>quicksilver</c>.</param>
/// <param name="ContextLength">Longest prompt + completion, in tokens.</param>
/// <param name="Backend">Compute backend: <c>cpu</c> or <c>cuda</c>.</param>
/// <param name="GenerationDefaults">What requests that leave sampling or diffusion fields out get (the model's <c>generation_config.json</c>, else the server's).</param>
internal sealed record ModelCard(string Id, string Object, long Created, string OwnedBy, int ContextLength, string Backend, GenerationDefaultsCard GenerationDefaults);
