using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>Mirror of <c>CommittedTokenResult</c> in <c>kernels/select_commits.cu</c> (12 bytes): one commit.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CommittedTokenResult
{
    /// <summary>The committed row, within its sequence.</summary>
    public int Row;

    /// <summary>Its chosen token.</summary>
    public int Token;

    /// <summary>log p(token).</summary>
    public float LogProbability;

    public readonly CommittedToken ToCommitted() => new(Row, Token, LogProbability);
}
