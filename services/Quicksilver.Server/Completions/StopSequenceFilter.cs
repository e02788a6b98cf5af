namespace Quicksilver.Server.Completions;

/// <summary>
/// Cuts the answer before the first stop sequence. The end of the text that could be the start of a stop sequence,
/// to be completed by the next block, is held back until the next block settles it.
/// </summary>
internal sealed class StopSequenceFilter(IReadOnlyList<string> stops)
{
    private readonly int longest = stops.Count == 0 ? 0 : stops.Max(s => s.Length);
    private string pending = string.Empty;
    private int released;

    /// <summary>Whether a stop sequence was found; the filter passes nothing after that.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Once <see cref="Stopped"/>: the length of the text pushed up to the end of the stop sequence found.</summary>
    public int StopEnd { get; private set; }

    /// <summary>Adds text; returns what can be sent now. With <paramref name="final"/>, nothing is held back.</summary>
    public string Push(string text, bool final)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Stopped)
        {
            return string.Empty;
        }

        if (stops.Count == 0)
        {
            return text;
        }

        pending += text;
        int first = -1;
        int firstLength = 0;
        foreach (string stop in stops)
        {
            int at = pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
            {
                first = at;
                firstLength = stop.Length;
            }
        }

        if (first >= 0)
        {
            Stopped = true;
            StopEnd = released + first + firstLength;
            string beforeStop = pending[..first];
            pending = string.Empty;
            return beforeStop;
        }

        int cut = final ? pending.Length : pending.Length - HeldBackLength();
        if (cut > 0 && cut < pending.Length && char.IsHighSurrogate(pending[cut - 1]))
        {
            cut--;
        }

        string ready = pending[..cut];
        pending = pending[cut..];
        released += cut;
        return ready;
    }

    // The longest end of the pending text that a stop sequence starts with (shorter than that stop sequence).
    private int HeldBackLength()
    {
        for (int length = Math.Min(pending.Length, longest - 1); length > 0; length--)
        {
            string tail = pending[^length..];
            if (stops.Any(stop => stop.StartsWith(tail, StringComparison.Ordinal)))
            {
                return length;
            }
        }

        return 0;
    }
}
