using Quicksilver.LoadTest.Client;
using Quicksilver.LoadTest.Metrics;
using ScottPlot;

namespace Quicksilver.LoadTest.Reports;

/// <summary>PNG plots (ScottPlot): latency CDFs per target and metric, and completions and tokens per second over time.</summary>
internal static class Plots
{
    public static void LatencyCdf(IReadOnlyList<RequestResult> results, string path)
    {
        var plot = new Plot();
        foreach (IGrouping<string, RequestResult> target in results.Where(r => r.Outcome == Outcome.Ok).GroupBy(r => r.Target))
        {
            string prefix = results.Select(r => r.Target).Distinct().Count() > 1 ? target.Key + " " : string.Empty;
            AddCdf(plot, prefix + "TTFT", target.Where(r => r.TtftMs is not null).Select(r => r.TtftMs!.Value));
            AddCdf(plot, prefix + "ITL", target.SelectMany(r => r.ItlMs));
            AddCdf(plot, prefix + "E2E", target.Select(r => r.E2eMs));
        }

        plot.Title("Latency CDF (completed requests)");
        plot.XLabel("milliseconds");
        plot.YLabel("fraction at or below");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 550);
    }

    public static void Throughput(IReadOnlyList<RunSummary> summaries, string path)
    {
        var plot = new Plot();
        foreach (RunSummary s in summaries.Where(s => s.Timeline.Count > 0))
        {
            string prefix = summaries.Count > 1 ? s.Target + " " : string.Empty;
            double[] seconds = [.. s.Timeline.Select(b => (double)b.Second)];
            var tokens = plot.Add.Scatter(seconds, [.. s.Timeline.Select(b => (double)b.OutputTokens)]);
            tokens.LegendText = prefix + "output tokens/s";
            var requests = plot.Add.Scatter(seconds, [.. s.Timeline.Select(b => (double)b.Completed)]);
            requests.LegendText = prefix + "completed req/s (right)";
            requests.Axes.YAxis = plot.Axes.Right;
            var errors = plot.Add.Scatter(seconds, [.. s.Timeline.Select(b => (double)b.Errors)]);
            errors.LegendText = prefix + "errors + lost /s (right)";
            errors.Axes.YAxis = plot.Axes.Right;
        }

        plot.Title("Throughput over time (by completion second)");
        plot.XLabel("seconds since start");
        plot.YLabel("output tokens/s");
        plot.Axes.Right.Label.Text = "requests/s";
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 550);
    }

    private static void AddCdf(Plot plot, string label, IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
        {
            return;
        }

        var line = plot.Add.Scatter(sorted, [.. Enumerable.Range(1, sorted.Length).Select(i => (double)i / sorted.Length)]);
        line.LegendText = label;
        line.MarkerSize = 0;
    }
}
