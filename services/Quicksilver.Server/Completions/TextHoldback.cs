namespace Quicksilver.Server.Completions;

/// <summary>
/// Holds an answer's text back from where a marker first appears until the answer ends, so that what follows the
/// marker (a call of a tool) is read whole from the answer's last delta instead of being sent as text while it comes.
/// An end of the text that could be the start of the marker waits for the next block to settle it.
/// </summary>
internal sealed class TextHoldback(string marker)
{
    private string pending = string.Empty;
    private bool holding;

    /// <summary>Adds text; returns what can be sent now. With <paramref name="final"/>, everything held comes out.</summary>
    public string Push(string text, bool final)
    {
        ArgumentNullException.ThrowIfNull(text);
        pending += text;
        int cut;
        if (final)
        {
            cut = pending.Length;
        }
        else if (holding)
        {
            return string.Empty;
        }
        else
        {
            int at = pending.IndexOf(marker, StringComparison.Ordinal);
            holding = at >= 0;
            cut = holding ? at : pending.Length - MarkerStartLength();
        }

        string ready = pending[..cut];
        pending = pending[cut..];
        return ready;
    }

    // The longest end of the pending text that the marker starts with (shorter than the marker).
    private int MarkerStartLength()
    {
        for (int length = Math.Min(pending.Length, marker.Length - 1); length > 0; length--)
        {
            if (marker.StartsWith(pending[^length..], StringComparison.Ordinal))
            {
                return length;
            }
        }

        return 0;
    }
}
