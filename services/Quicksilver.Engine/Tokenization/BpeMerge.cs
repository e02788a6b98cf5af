namespace Quicksilver.Engine.Tokenization;

/// <summary>One BPE merge rule: adjacent tokens <paramref name="Left"/> and <paramref name="Right"/> become one.</summary>
/// <param name="Left">The left token, in byte-level form.</param>
/// <param name="Right">The right token, in byte-level form.</param>
public readonly record struct BpeMerge(string Left, string Right)
{
    /// <summary>The token the merge produces.</summary>
    public string Merged => Left + Right;
}
