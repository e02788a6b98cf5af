using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>OpenAI's <c>top_logprobs</c> on the device (<c>kernels/top_logprobs.cu</c>): only the listed tokens come back.</summary>
public sealed partial class CudaBackend
{
    private const int TopLogprobsBlock = 256;

    private HostArgumentSlot? topLogprobsSlot;
    private CudaDeviceMemoryHandle? topLogprobsResults;

    /// <inheritdoc />
    public unsafe void TopLogprobs(IDeviceBuffer logits, ReadOnlySpan<TopLogprobsRow> rows, int count, int suppressedToken, Span<TokenLogprob> results)
    {
        CudaBuffer x = AsBuffer(logits, nameof(logits));
        TopLogprobsRow.Check(x.Rows, x.Columns, rows, count, suppressedToken, results.Length);
        MakeCurrent();
        if (rows.Length == 0)
        {
            return;
        }

        topLogprobsSlot ??= new HostArgumentSlot("top-logprobs rows", Ctx);
        ulong rowsOnDevice = topLogprobsSlot.Upload(rows, stream);
        long resultBytes = (long)results.Length * sizeof(TokenLogprob);
        CudaDeviceMemoryHandle output = EnsureDeviceBytes(ref topLogprobsResults, resultBytes);

        Launch(
            x.ElementType == CudaElementType.Float32 ? KernelCatalog.TopLogprobsF32 : KernelCatalog.TopLogprobsBf16,
            Dim3.Of(rows.Length),
            new Dim3(TopLogprobsBlock),
            0,
            [x.Pointer, x.Columns, suppressedToken, count, rowsOnDevice, output.Pointer]);

        byte* host = Staging(resultBytes);
        CudaCheck.Driver(CudaDriverApi.cuMemcpyDtoHAsync_v2(host, output.Pointer, (nuint)resultBytes, stream), nameof(CudaDriverApi.cuMemcpyDtoHAsync_v2), "top logprobs");
        CudaCheck.Driver(CudaDriverApi.cuStreamSynchronize(stream), nameof(CudaDriverApi.cuStreamSynchronize), "waiting for the top logprobs (a kernel queued earlier may have failed)");
        new ReadOnlySpan<TokenLogprob>(host, results.Length).CopyTo(results);
    }

    private void DisposeTopLogprobs()
    {
        topLogprobsSlot?.Dispose();
        topLogprobsResults?.Dispose();
    }
}
