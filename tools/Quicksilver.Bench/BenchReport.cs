using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Quicksilver.Bench;

/// <summary>Sections of results rendered as one Markdown document with the machine and date.</summary>
internal sealed class BenchReport(int threads)
{
    private readonly List<string> _sections = [];

    public void Add(string section) => _sections.Add(section);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  ");
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} logical CPUs ({CpuModel()}), {RuntimeInformation.OSDescription}, .NET {Environment.Version}  ");
        text.AppendLine(CultureInfo.InvariantCulture, $"Threads used: {threads}");
        text.AppendLine();
        foreach (string section in _sections)
        {
            text.AppendLine(section);
        }

        return text.ToString();
    }

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
