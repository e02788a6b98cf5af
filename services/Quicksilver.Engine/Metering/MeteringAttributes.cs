namespace Quicksilver.Engine.Metering;

/// <summary>The attributes of the billing meters.</summary>
public static class MeteringAttributes
{
    /// <summary>The tenant a measurement is billed to (the gateway's tenant id, or <see cref="Tenants.Anonymous"/>).</summary>
    public const string Tenant = "quicksilver.tenant";

    /// <summary>The served model's id (the GenAI conventions' <c>gen_ai.request.model</c>).</summary>
    public const string Model = "gen_ai.request.model";
}
