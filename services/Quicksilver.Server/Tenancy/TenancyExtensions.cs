using Microsoft.Extensions.Options;

namespace Quicksilver.Server.Tenancy;

/// <summary>Tenant trust: <see cref="TenancyOptions"/> (validated at start), the <see cref="GatewayKey"/>, and <see cref="TenancyFilter"/> on the <c>/v1</c> endpoints.</summary>
internal static class TenancyExtensions
{
    public static IServiceCollection AddQuicksilverTenancy(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<TenancyOptions>().BindConfiguration(TenancyOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TenancyOptions>, TenancyOptionsValidator>();
        services.AddSingleton<GatewayKey>();
        return services;
    }

    /// <summary>Establishes each request's <see cref="Caller"/> before the handler runs, refusing spoofed tenants.</summary>
    public static TBuilder WithTenancy<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, TenancyFilter>();
}
