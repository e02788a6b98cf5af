namespace Quicksilver.Server.Extensions;

/// <summary>The one-line message of a setting that fails validation at start: the setting, the rule, the value and its environment variable.</summary>
internal static class SettingFailures
{
    /// <param name="section">The configuration section, e.g. <c>Quicksilver:Limits</c>.</param>
    /// <param name="setting">The setting's name in the section.</param>
    /// <param name="rule">What the value must be, e.g. "must be at least 1".</param>
    /// <param name="value">The value as it should be quoted.</param>
    public static string Describe(string section, string setting, string rule, object? value) =>
        $"{section}:{setting} {rule}, but is {value} " +
        $"(environment variable {section.Replace(":", "__", StringComparison.Ordinal)}__{setting}).";
}
