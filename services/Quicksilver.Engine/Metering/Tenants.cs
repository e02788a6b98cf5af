namespace Quicksilver.Engine.Metering;

/// <summary>Well-known tenant ids.</summary>
public static class Tenants
{
    /// <summary>The tenant of a request that named none (it did not come through the gateway).</summary>
    public const string Anonymous = "anonymous";
}
