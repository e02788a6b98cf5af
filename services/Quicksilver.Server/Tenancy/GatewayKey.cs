using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Quicksilver.Server.Tenancy;

/// <summary>
/// The secret that proves a request comes from the gateway (<see cref="TenancyOptions.GatewayKey"/>, and while it is
/// rotated <see cref="TenancyOptions.PreviousGatewayKey"/>). A presented key is compared in constant time over the
/// SHA-256 digests, with both keys every time, so neither its content nor its length, nor which key it is, leaks
/// through timing.
/// </summary>
internal sealed class GatewayKey(IOptions<TenancyOptions> options)
{
    private readonly byte[]? _digest = options.Value.GatewayKey is { } key ? Digest(key) : null;
    private readonly byte[]? _previousDigest = options.Value.PreviousGatewayKey is { } previous ? Digest(previous) : null;

    /// <summary>Whether <paramref name="presented"/> (the header's values) is exactly a configured key; never without one.</summary>
    public bool Matches(StringValues presented)
    {
        if (_digest is null || presented.Count != 1)
        {
            return false;
        }

        byte[] digest = Digest(presented.ToString());
        bool current = CryptographicOperations.FixedTimeEquals(digest, _digest);
        bool previous = CryptographicOperations.FixedTimeEquals(digest, _previousDigest ?? _digest);
        return current | previous;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
