namespace Quicksilver.Server.Wire;

/// <summary>The answer of <c>GET /v1/models</c>.</summary>
/// <param name="Object">Always <c>list</c>.</param>
/// <param name="Data">The served models (empty while the model is loading).</param>
internal sealed record ModelList(string Object, IReadOnlyList<ModelCard> Data);
