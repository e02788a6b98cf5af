namespace Quicksilver.Server.Tenancy;

/// <summary>
/// Who may name the tenant a request is billed to, bound from <c>Quicksilver:Tenancy</c> (e.g.
/// <c>Quicksilver__Tenancy__GatewayKey</c>). Validated at start. Only requests from the gateway (carrying
/// <see cref="GatewayKey"/>) may send <c>X-Quicksilver-Tenant</c>; without it a request is billed to
/// <c>anonymous</c>.
/// </summary>
public sealed record TenancyOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Quicksilver:Tenancy";

    /// <summary>
    /// The secret the gateway sends in <c>X-Quicksilver-Gateway-Key</c>, shared with it (mount it from a Secret).
    /// Default: unset, so that no request counts as the gateway's and any <c>X-Quicksilver-Tenant</c> is refused with 401.
    /// Must not be blank when set.
    /// </summary>
    public string? GatewayKey { get; init; }

    /// <summary>
    /// A key the pod still accepts beside <see cref="GatewayKey"/> while the gateway's key is rotated, so that no
    /// request is refused between the pods' roll and the gateways': set it to the old key and <see cref="GatewayKey"/>
    /// to the new one, roll the pods, roll the gateways with the new key, then unset it. Needs <see cref="GatewayKey"/>
    /// and must differ from it. Default: unset.
    /// </summary>
    public string? PreviousGatewayKey { get; init; }

    /// <summary>
    /// Refuse every <c>/v1</c> request that is not from the gateway (401, code <c>gateway_required</c>), so that clients
    /// cannot bypass the gateway's keys and rate limits. Health, <c>/load</c> and <c>/metrics</c> stay open. Needs
    /// <see cref="GatewayKey"/>. Default: false.
    /// </summary>
    public bool RequireGateway { get; init; }
}
