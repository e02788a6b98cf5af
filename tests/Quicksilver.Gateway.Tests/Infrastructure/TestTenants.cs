using System.Text.Json.Nodes;
using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.Tests.Infrastructure;

/// <summary>The tenants of the gateway tests, with fresh random keys, written as a real tenants file (hashed keys).</summary>
internal static class TestTenants
{
    /// <summary>All models, no limits.</summary>
    public const string Acme = "acme";

    /// <summary>All models, no limits (a second payer).</summary>
    public const string Globex = "globex";

    /// <summary>Two requests per minute.</summary>
    public const string Limited = "limited";

    /// <summary>Thirty tokens per minute.</summary>
    public const string Frugal = "frugal";

    /// <summary>Thirty tokens per minute, for answers that end without their usage.</summary>
    public const string Thrifty = "thrifty";

    /// <summary>One request and twenty tokens per minute: both limits spent by one answer.</summary>
    public const string Squeezed = "squeezed";

    /// <summary>One request and twenty tokens per minute, spent to show what the limits do not refuse.</summary>
    public const string Spent = "spent";

    /// <summary>May only use a model the gateway does not serve.</summary>
    public const string Restricted = "restricted";

    private static readonly Dictionary<string, string> Keys = new[] { Acme, Globex, Limited, Frugal, Thrifty, Squeezed, Spent, Restricted }
        .ToDictionary(id => id, _ => ApiKeyHash.NewKey());

    public static string KeyOf(string tenant) => Keys[tenant];

    /// <summary>Writes the tenants file into a new temporary folder; returns its path.</summary>
    public static string WriteFile()
    {
        string folder = Directory.CreateTempSubdirectory("quicksilver-gateway-tests-").FullName;
        string path = Path.Combine(folder, "tenants.json");
        var tenants = new JsonArray
        {
            Tenant(Acme),
            Tenant(Globex),
            Tenant(Limited, limits: [("requests_per_minute", 2)]),
            Tenant(Frugal, limits: [("tokens_per_minute", 30)]),
            Tenant(Thrifty, limits: [("tokens_per_minute", 30)]),
            Tenant(Squeezed, limits: [("requests_per_minute", 1), ("tokens_per_minute", 20)]),
            Tenant(Spent, limits: [("requests_per_minute", 1), ("tokens_per_minute", 20)]),
            Tenant(Restricted, models: ["some-other-model"]),
        };
        File.WriteAllText(path, new JsonObject { ["tenants"] = tenants }.ToJsonString());
        return path;
    }

    private static JsonObject Tenant(string id, (string Name, int Value)[]? limits = null, string[]? models = null)
    {
        var tenant = new JsonObject { ["id"] = id, ["keys"] = new JsonArray(ApiKeyHash.Format(Keys[id])) };
        foreach ((string name, int value) in limits ?? [])
        {
            tenant[name] = value;
        }

        if (models is not null)
        {
            tenant["models"] = new JsonArray([.. models.Select(m => JsonValue.Create(m))]);
        }

        return tenant;
    }
}
