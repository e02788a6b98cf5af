using System.Security.Cryptography;
using System.Text;

namespace Quicksilver.Gateway.Tenancy;

/// <summary>
/// How API keys are stored: <c>sha256:&lt;64 hex digits&gt;</c> of the key's UTF-8 bytes. A leaked tenants file does not
/// leak keys; keys are random and long, so an unsalted fast hash is enough (as GitHub and Stripe store tokens).
/// </summary>
internal static class ApiKeyHash
{
    public const string Prefix = "sha256:";

    /// <summary>The digest of a presented key.</summary>
    public static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>The stored form of <paramref name="key"/>, as written into the tenants file.</summary>
    public static string Format(string key) => Prefix + Convert.ToHexStringLower(Digest(key));

    /// <summary>Parses a stored form; null when it is not <c>sha256:</c> plus 64 hex digits.</summary>
    public static byte[]? TryParse(string stored)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal) || stored.Length != Prefix.Length + 64)
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(stored.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A new random key, <c>qs-</c> plus 43 URL-safe base64 characters (256 bits).</summary>
    public static string NewKey() =>
        "qs-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
