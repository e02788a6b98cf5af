using System.Runtime.InteropServices;
using Quicksilver.Engine.Compute.Cuda.Interop;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Compute.Cuda;

/// <content>
/// <see cref="ScoreAndSelect"/>: the LM-head epilogue and <c>kernels/select_commits.cu</c> back to back on the stream,
/// then one small download of the commits.
/// </content>
public sealed partial class CudaBackend
{
    /// <summary>
    /// The most scored rows <c>select_commits.cu</c> ranks for one sequence (<c>QS_SELECT_MAX_ROWS</c>): a sequence's rows
    /// are ranked in one thread block's shared memory.
    /// </summary>
    public const int SelectionRowLimit = 1024;

    private HostArgumentSlot? selectionSlot;
    private CudaDeviceMemoryHandle? selectionResults;

    /// <inheritdoc />
    public int MaxSelectionRows => SelectionRowLimit;

    /// <inheritdoc />
    public bool CanSelect(CommitPolicy policy) => CommitSelectArgs.Expresses(policy);

    /// <inheritdoc />
    /// <remarks>
    /// Uploads the per-sequence arguments and row positions in one copy, queues the epilogue and the selection kernel,
    /// and downloads <c>4·sequences + 12·rows</c> bytes (the counts, then one commit slot per row) in one copy; the
    /// token scores stay on the device.
    /// </remarks>
    public unsafe void ScoreAndSelect(
        IDeviceBuffer logits,
        ReadOnlySpan<RowSampling> sampling,
        int suppressedToken,
        ReadOnlySpan<int> positions,
        ReadOnlySpan<int> rowOffsets,
        ReadOnlySpan<CommitPolicy> policies,
        Span<CommittedToken> committed,
        Span<int> counts)
    {
        CudaBuffer x = AsBuffer(logits, nameof(logits));
        if (sampling.Length != x.Rows)
        {
            throw new ArgumentException($"ScoreAndSelect over {x.Rows} rows needs as many sampling entries, not {sampling.Length}.", nameof(sampling));
        }

        CommitSelection.CheckBatch(x.Rows, positions, rowOffsets, policies, committed.Length, counts.Length, MaxSelectionRows);
        MakeCurrent();
        int sequences = policies.Length, rows = x.Rows;
        if (rows == 0)
        {
            counts[..sequences].Clear();
            return;
        }

        ulong scores = QueueScoreLogits(x, sampling, suppressedToken);

        // One upload: the sequences' arguments, then the rows' positions.
        int argumentBytes = sequences * sizeof(CommitSelectArgs);
        var packed = new byte[argumentBytes + (rows * sizeof(int))];
        Span<CommitSelectArgs> arguments = MemoryMarshal.Cast<byte, CommitSelectArgs>(packed.AsSpan(0, argumentBytes));
        int widest = 0;
        for (int s = 0; s < sequences; s++)
        {
            int length = rowOffsets[s + 1] - rowOffsets[s];
            arguments[s] = CommitSelectArgs.From(policies[s], rowOffsets[s], length);
            widest = Math.Max(widest, length);
        }

        MemoryMarshal.AsBytes(positions).CopyTo(packed.AsSpan(argumentBytes));
        selectionSlot ??= new HostArgumentSlot("commit selection arguments", Ctx);
        ulong argumentsOnDevice = selectionSlot.Upload<byte>(packed, stream);
        ulong positionsOnDevice = argumentsOnDevice + (ulong)argumentBytes;

        // The result: the counts (padded to 16 bytes), then one commit slot per row.
        long countBytes = ((sequences * sizeof(int)) + 15) / 16 * 16;
        long resultBytes = countBytes + ((long)rows * sizeof(CommittedTokenResult));
        CudaDeviceMemoryHandle results = EnsureDeviceBytes(ref selectionResults, resultBytes);

        uint block = (uint)Math.Clamp((widest + 31) / 32 * 32, 32, SelectionRowLimit);
        Launch(KernelCatalog.SelectCommits, Dim3.Of(sequences), new Dim3(block), 0, [scores, positionsOnDevice, argumentsOnDevice, results.Pointer + (ulong)countBytes, results.Pointer]);

        byte* host = Staging(resultBytes);
        CudaCheck.Driver(CudaDriverApi.cuMemcpyDtoHAsync_v2(host, results.Pointer, (nuint)resultBytes, stream), nameof(CudaDriverApi.cuMemcpyDtoHAsync_v2), "commit selection");
        CudaCheck.Driver(CudaDriverApi.cuStreamSynchronize(stream), nameof(CudaDriverApi.cuStreamSynchronize), "waiting for the commit selection (a kernel queued earlier may have failed)");
        var deviceCounts = new ReadOnlySpan<int>(host, sequences);
        var deviceCommits = new ReadOnlySpan<CommittedTokenResult>(host + countBytes, rows);
        for (int s = 0; s < sequences; s++)
        {
            int first = rowOffsets[s], length = rowOffsets[s + 1] - first, count = deviceCounts[s];
            if ((uint)count > (uint)length)
            {
                throw new CudaException($"{KernelCatalog.SelectCommits} returned {count} commits for sequence {s} of {length} rows.");
            }

            for (int k = 0; k < count; k++)
            {
                committed[first + k] = deviceCommits[first + k].ToCommitted();
            }

            counts[s] = count;
        }
    }

    private void DisposeSelection()
    {
        selectionSlot?.Dispose();
        selectionResults?.Dispose();
    }
}
