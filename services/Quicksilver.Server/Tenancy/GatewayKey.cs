using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Quicksilver.Server.Tenancy;

/// <summary>
/// The secret that proves a request comes from the gateway (<see cref="TenancyOptions.GatewayKey"/>). A presented
/// key is compared in constant time over the SHA-256 digests of both, so neither its content nor its length leaks
/// through timing.
/// </summary>
internal sealed class GatewayKey(IOptions<TenancyOptions> options)
{
    private readonly byte[]? _digest = options.Value.GatewayKey is { } key ? Digest(key) : null;

    /// <summary>Whether <paramref name="presented"/> (the header's values) is exactly the configured key; never without one.</summary>
    public bool Matches(StringValues presented) =>
        _digest is not null
        && presented.Count == 1
        && CryptographicOperations.FixedTimeEquals(Digest(presented.ToString()), _digest);

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
