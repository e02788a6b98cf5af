using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Quicksilver.Gateway.Apis;

/// <summary>
/// The last card a pod served for each model, so that <c>GET /v1/models</c> answers with the whole card (context
/// length, backend, generation defaults) while no pod of the model answers in time, and a minimal one only for a model
/// no pod has described yet. Thread-safe.
/// </summary>
internal sealed class ModelCards
{
    private readonly ConcurrentDictionary<string, JsonNode> _lastServed = new(StringComparer.Ordinal);

    /// <summary>Remembers <paramref name="card"/> as the model's; returns it.</summary>
    public JsonNode Served(string model, JsonNode card)
    {
        _lastServed[model] = card.DeepClone();
        return card;
    }

    /// <summary>The model's last served card, or a minimal one.</summary>
    public JsonNode Fallback(string model) =>
        _lastServed.TryGetValue(model, out JsonNode? card)
            ? card.DeepClone()
            : new JsonObject { ["id"] = model, ["object"] = "model", ["created"] = 0, ["owned_by"] = "quicksilver" };
}
