namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// REAL ENGINE: the embedded model (<see cref="EmbeddedModelFixture"/>) with a price per GPU hour and a gateway key, for
/// the usage, cost and tenant tests.
/// </summary>
public sealed class MeteredModelFixture() : EmbeddedModelFixture(Settings)
{
    public const double GpuHourPriceUsd = 2.5;

    public const string GatewayKey = "test-gateway-key-0123456789";

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Quicksilver:Metering:GpuHourPriceUsd"] = "2.5",
        ["Quicksilver:Tenancy:GatewayKey"] = GatewayKey,
    };

    /// <summary>A client that sends what the gateway adds for <paramref name="tenant"/>.</summary>
    public HttpClient CreateGatewayClient(string tenant, bool includeUsage = false) =>
        Factory.CreateGatewayClient(GatewayKey, tenant, includeUsage);
}
