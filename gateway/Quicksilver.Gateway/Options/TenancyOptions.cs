namespace Quicksilver.Gateway.Options;

/// <summary>Section <c>Gateway:Tenancy</c>: where API keys and tenants are read from.</summary>
public sealed class TenancyOptions
{
    public const string SectionName = "Gateway:Tenancy";

    /// <summary>
    /// The tenants file (JSON; keys stored as SHA-256 hashes), typically a Kubernetes Secret mounted into the gateway.
    /// Re-read when its content changes. Required.
    /// </summary>
    public string? ApiKeysFile { get; init; }

    /// <summary>How often the file is checked for changes (Secret updates replace it through a symlink swap).</summary>
    public TimeSpan ReloadInterval { get; init; } = TimeSpan.FromSeconds(10);
}
