using System.Text.RegularExpressions;

namespace Quicksilver.Server.Tenancy;

/// <summary>
/// What a tenant id may be: 1 to 64 characters of <c>A-Z a-z 0-9 . _ -</c>, safe as a metric attribute and in logs.
/// </summary>
internal static partial class TenantIdFormat
{
    public const string Rule = "1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'";

    public static bool IsValid(string tenant) => Pattern().IsMatch(tenant);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
