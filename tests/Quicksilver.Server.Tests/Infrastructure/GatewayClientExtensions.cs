namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>Clients of the test server that send the headers of the gateway contract (spelled out: they are the contract).</summary>
public static class GatewayClientExtensions
{
    /// <summary>
    /// A client whose requests carry <c>X-Quicksilver-Gateway-Key</c> (when <paramref name="key"/> is set),
    /// <c>X-Quicksilver-Tenant</c> (when <paramref name="tenant"/> is set) and, with <paramref name="includeUsage"/>,
    /// <c>X-Quicksilver-Include-Usage: true</c>.
    /// </summary>
    public static HttpClient CreateGatewayClient(this QuicksilverApiFactory factory, string? key, string? tenant, bool includeUsage = false)
    {
        ArgumentNullException.ThrowIfNull(factory);
        HttpClient client = factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Quicksilver-Gateway-Key", key);
        }

        if (tenant is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("X-Quicksilver-Tenant", tenant);
        }

        if (includeUsage)
        {
            client.DefaultRequestHeaders.Add("X-Quicksilver-Include-Usage", "true");
        }

        return client;
    }
}
