using System.Globalization;
using Quicksilver.LoadTest.Client;

namespace Quicksilver.LoadTest.Metrics;

/// <summary>
/// Service-level objectives in milliseconds (<c>--slo ttft:500,tpot:50,e2e:10000</c>). A request meets them when it
/// completed (<see cref="Outcome.Ok"/>) and each given bound holds; a TPOT bound holds trivially for a one-token answer.
/// </summary>
internal sealed record Slo(double? TtftMs, double? TpotMs, double? E2eMs)
{
    public static Slo None { get; } = new(null, null, null);

    public static Slo Parse(string? text)
    {
        var slo = None;
        foreach (string part in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] pair = part.Split(':', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !double.TryParse(pair[1].TrimEnd('s', 'm'), NumberStyles.Float, CultureInfo.InvariantCulture, out double ms) || ms <= 0)
            {
                throw new FormatException($"Not an SLO: '{part}' (expected name:milliseconds, e.g. ttft:500).");
            }

            slo = pair[0].ToLowerInvariant() switch
            {
                "ttft" => slo with { TtftMs = ms },
                "tpot" => slo with { TpotMs = ms },
                "e2e" => slo with { E2eMs = ms },
                _ => throw new FormatException($"Unknown SLO '{pair[0]}' (ttft, tpot or e2e)."),
            };
        }

        return slo;
    }

    public bool IsMetBy(RequestResult r) =>
        r.Outcome == Outcome.Ok
        && (TtftMs is not { } ttft || (r.TtftMs is { } t && t <= ttft))
        && (TpotMs is not { } tpot || r.TpotMs is not { } p || p <= tpot)
        && (E2eMs is not { } e2e || r.E2eMs <= e2e);

    public override string ToString() => string.Join(',', new[] { ("ttft", TtftMs), ("tpot", TpotMs), ("e2e", E2eMs) }
        .Where(p => p.Item2 is not null).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Item1}:{p.Item2}")));
}
