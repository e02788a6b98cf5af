using System.Globalization;

namespace Quicksilver.Gateway.Tests.Infrastructure;

/// <summary>Reads a server's Prometheus <c>/metrics</c>.</summary>
internal static class MetricsScrape
{
    /// <summary>
    /// Two scrapes in a row: a series whose metric stream was deactivated is exported once more and then removed, so
    /// the second scrape tells whether it is still there.
    /// </summary>
    public static async Task<string[]> TwiceAsync(Uri server)
    {
        using var scraper = new HttpClient { BaseAddress = server };
        var path = new Uri("/metrics", UriKind.Relative);
        return [await scraper.GetStringAsync(path), await scraper.GetStringAsync(path)];
    }

    /// <summary>The sum of the series whose line starts with <paramref name="prefix"/> and holds <paramref name="label"/>; 0 when none.</summary>
    public static double Sum(string scrape, string prefix, string label) => scrape.Split('\n')
        .Where(line => line.StartsWith(prefix, StringComparison.Ordinal) && line.Contains(label, StringComparison.Ordinal))
        .Sum(line => double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture));
}
