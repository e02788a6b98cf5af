using System.Security.Cryptography;

namespace Quicksilver.Gateway.Tenancy;

/// <summary>
/// The hashed keys of every tenant. A presented key's digest is compared with every stored digest in constant time
/// and without stopping at a match, so neither which key matched nor how much of it did shows in the timing.
/// </summary>
internal sealed class ApiKeyIndex
{
    private readonly (byte[] Digest, Tenant Tenant)[] _entries;

    public ApiKeyIndex(IEnumerable<(byte[] Digest, Tenant Tenant)> entries) => _entries = [.. entries];

    public static ApiKeyIndex Empty { get; } = new([]);

    /// <summary>Tenants in the index.</summary>
    public IEnumerable<Tenant> Tenants => _entries.Select(e => e.Tenant).Distinct();

    /// <summary>The tenant owning <paramref name="key"/>, or null.</summary>
    public Tenant? Find(string key)
    {
        byte[] digest = ApiKeyHash.Digest(key);
        Tenant? found = null;
        foreach ((byte[] stored, Tenant tenant) in _entries)
        {
            bool match = CryptographicOperations.FixedTimeEquals(stored, digest);
            found = match ? tenant : found;
        }

        return found;
    }
}
