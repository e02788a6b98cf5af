using System.Text.Json;
using System.Text.RegularExpressions;

namespace Quicksilver.Gateway.Tenancy;

/// <summary>
/// Reads the tenants file:
/// <code>
/// {"tenants": [{"id": "acme", "keys": ["sha256:…"], "models": ["quicksilver-tiny"],
///               "requests_per_minute": 600, "tokens_per_minute": 200000}]}
/// </code>
/// <c>models</c>, <c>requests_per_minute</c> and <c>tokens_per_minute</c> are optional (absent: all models, no limit).
/// Every defect is an <see cref="InvalidDataException"/> naming the file and the tenant.
/// </summary>
internal static partial class TenantsFile
{
    /// <summary>Parses <paramref name="json"/> read from <paramref name="path"/>.</summary>
    public static ApiKeyIndex Parse(string json, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException exception)
        {
            throw Invalid(path, $"is not valid JSON ({exception.Message})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("tenants", out JsonElement tenants)
                || tenants.ValueKind != JsonValueKind.Array)
            {
                throw Invalid(path, "must be an object with a \"tenants\" array");
            }

            var entries = new List<(byte[], Tenant)>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var digests = new HashSet<string>(StringComparer.Ordinal);
            int index = 0;
            foreach (JsonElement element in tenants.EnumerateArray())
            {
                (Tenant tenant, List<byte[]> keys) = ReadTenant(element, path, index++);
                if (!ids.Add(tenant.Id))
                {
                    throw Invalid(path, $"names tenant '{tenant.Id}' twice");
                }

                foreach (byte[] digest in keys)
                {
                    if (!digests.Add(Convert.ToHexString(digest)))
                    {
                        throw Invalid(path, $"gives tenant '{tenant.Id}' a key that another entry already has");
                    }

                    entries.Add((digest, tenant));
                }
            }

            return new ApiKeyIndex(entries);
        }
    }

    private static (Tenant, List<byte[]>) ReadTenant(JsonElement element, string path, int index)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"has a tenants[{index}] that is not an object");
        }

        string id = element.TryGetProperty("id", out JsonElement idElement) && idElement.ValueKind == JsonValueKind.String
            ? idElement.GetString()!
            : throw Invalid(path, $"has tenants[{index}] without a string \"id\"");
        if (!TenantIdPattern().IsMatch(id))
        {
            throw Invalid(path, $"has tenant id '{id}': use 1-64 characters of A-Z a-z 0-9 . _ -");
        }

        if (!element.TryGetProperty("keys", out JsonElement keysElement) || keysElement.ValueKind != JsonValueKind.Array || keysElement.GetArrayLength() == 0)
        {
            throw Invalid(path, $"gives tenant '{id}' no \"keys\" array");
        }

        var keys = new List<byte[]>();
        foreach (JsonElement key in keysElement.EnumerateArray())
        {
            keys.Add(key.ValueKind == JsonValueKind.String && ApiKeyHash.TryParse(key.GetString()!) is { } digest
                ? digest
                : throw Invalid(path, $"gives tenant '{id}' a key that is not \"sha256:<64 hex digits>\" (hash keys with: Quicksilver.Gateway hash-key <key>)"));
        }

        HashSet<string>? models = null;
        if (element.TryGetProperty("models", out JsonElement modelsElement) && modelsElement.ValueKind != JsonValueKind.Null)
        {
            models = modelsElement.ValueKind == JsonValueKind.Array && modelsElement.EnumerateArray().All(m => m.ValueKind == JsonValueKind.String)
                ? new HashSet<string>(modelsElement.EnumerateArray().Select(m => m.GetString()!), StringComparer.Ordinal)
                : throw Invalid(path, $"gives tenant '{id}' a \"models\" that is not an array of strings");
        }

        int? requests = ReadLimit(element, "requests_per_minute", path, id) is { } r
            ? r <= int.MaxValue ? (int)r : throw Invalid(path, $"gives tenant '{id}' a requests_per_minute that is too large")
            : null;
        long? tokens = ReadLimit(element, "tokens_per_minute", path, id);
        return (new Tenant(id, models, requests, tokens), keys);
    }

    private static long? ReadLimit(JsonElement element, string name, string path, string id)
    {
        if (!element.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long limit) && limit > 0
            ? limit
            : throw Invalid(path, $"gives tenant '{id}' a \"{name}\" that is not a positive integer");
    }

    private static InvalidDataException Invalid(string path, string problem) => new($"Tenants file '{path}' {problem}.");

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex TenantIdPattern();
}
