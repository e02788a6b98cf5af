using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Tokenization.Jinja;

/// <summary>
/// Renders templates with Python's Jinja2 as Hugging Face transformers does (<c>tools/reference/jinja_reference.py</c>),
/// with the first Python on this machine that imports jinja2 (<c>QS_JINJA_PYTHON</c>, <c>python3</c>,
/// <c>/usr/bin/python3</c>; Debian: <c>apt-get install python3-jinja2</c>).
/// </summary>
internal static class JinjaReference
{
    private static readonly Lazy<string?> Interpreter = new(Find);

    /// <summary>Why the reference cannot run here, or null when it can.</summary>
    public static string? SkipReason => Interpreter.Value is null
        ? "No Python with jinja2 (QS_JINJA_PYTHON, python3, /usr/bin/python3; Debian: apt-get install python3-jinja2; .ci/run installs it)."
        : null;

    /// <summary>Each case's output, or null where Jinja2 raised an error; <c>strftime_now</c> formats <paramref name="now"/>.</summary>
    public static List<string?> Render(IReadOnlyList<(string Template, JsonObject Variables)> cases, DateTimeOffset now)
    {
        var request = new JsonArray([.. cases.Select(c => (JsonNode)new JsonObject { ["template"] = c.Template, ["variables"] = c.Variables.DeepClone(), ["now"] = now.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) })]);
        var start = new ProcessStartInfo(Interpreter.Value ?? throw new InvalidOperationException(SkipReason))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryFolders.Root, "tools", "reference", "jinja_reference.py"));
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using (var input = new StreamWriter(process.StandardInput.BaseStream, new System.Text.UTF8Encoding(false)))
        {
            input.Write(request.ToJsonString());
        }

        if (!process.WaitForExit(TimeSpan.FromMinutes(2)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"jinja_reference.py failed: {error.Result}");
        }

        return [.. JsonNode.Parse(output.Result)!.AsArray().Select(result => result!["output"]?.GetValue<string>())];
    }

    private static string? Find()
    {
        string?[] candidates = [Environment.GetEnvironmentVariable("QS_JINJA_PYTHON"), "python3", "/usr/bin/python3"];
        foreach (string? candidate in candidates.OfType<string>())
        {
            try
            {
                using Process? probe = Process.Start(new ProcessStartInfo(candidate, ["-c", "import jinja2"]) { RedirectStandardError = true });
                if (probe is not null && probe.WaitForExit(TimeSpan.FromSeconds(30)) && probe.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }

        return null;
    }
}
