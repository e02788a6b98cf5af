using System.Globalization;

namespace Quicksilver.GpuHarness;

/// <summary>The command and its <c>--name value</c> / <c>--flag</c> options.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> options = new(StringComparer.Ordinal);

    public CommandLine(string[] args)
    {
        int i = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Command = args[0];
            i = 1;
        }

        for (; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            string name = args[i][2..];
            string? value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            options[name] = value;
        }
    }

    public string Command { get; } = "help";

    public bool Flag(string name) => options.ContainsKey(name);

    public string? OptionalString(string name) => options.TryGetValue(name, out string? value) ? value : null;

    public string String(string name, string fallback) => OptionalString(name) ?? fallback;

    public int Int(string name, int fallback) => OptionalString(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public int[] Ints(string name, int[] fallback) => OptionalString(name) is { } v
        ? v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
        : fallback;
}
