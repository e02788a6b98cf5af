namespace Quicksilver.GpuHarness.Json;

/// <summary>
/// The dual cache's two kinds of step at one batch size: the refresh (full canvas, K/V stored, the first block's
/// masks scored) and the step inside a block (only the block's rows, attending over the cache), each by GPU time
/// (CUDA events) and host wall time (launches, argument uploads and the score download included), with the block
/// step's GPU time split into its GEMMs (the LM head's included), attention and the rest. The block step and its
/// attention are also timed with the keys unsplit (<see cref="Quicksilver.Engine.Compute.Cuda.CudaBackend.AttentionKeySplits"/>
/// = 1), the kernel before split-key attention, and both kinds of step with the products that share an input run one
/// by one (<see cref="Quicksilver.Engine.Compute.Cuda.CudaBackend.BatchSharedProducts"/> off), each a peer in the same
/// process; <paramref name="LaunchesPerBlockStep"/> counts the block step's kernels and cuBLAS calls.
/// <paramref name="ModelledTokensPerSecondPerRequest"/> is what one request of the batch would see for the whole
/// answer in <paramref name="ModelledSteps"/> steps: one refresh per block and block steps for the rest, at wall time.
/// The later refreshes of <see cref="Quicksilver.Engine.Decoding.KvCacheRefresh"/> are timed too: the answer's rows
/// (<paramref name="AnswerRefreshGpuMs"/>, each refresh after the first with <c>answer</c>) and, summed over the blocks
/// after the first, the rows from the finished block on (<paramref name="FrontierRefreshesWallMs"/>, <c>frontier</c>);
/// the two modelled rates replace the later refreshes by them.
/// </summary>
internal sealed record BlockStepResult(
    int Batch,
    int BlockLength,
    int BlockRows,
    double RefreshGpuMs,
    double UnbatchedRefreshGpuMs,
    double RefreshWallMs,
    double BlockStepGpuMs,
    double UnbatchedBlockStepGpuMs,
    double BlockStepWallMs,
    double GemmMs,
    double GemmWeightTerabytesPerSecond,
    double AttentionMs,
    double UnsplitAttentionMs,
    double UnsplitBlockStepGpuMs,
    long LaunchesPerBlockStep,
    double LmHeadMs,
    double OtherGpuMs,
    int ModelledSteps,
    double ModelledTokensPerSecondPerRequest,
    double AnswerRefreshGpuMs,
    double AnswerRefreshWallMs,
    double FrontierRefreshesWallMs,
    double ModelledAnswerTokensPerSecondPerRequest,
    double ModelledFrontierTokensPerSecondPerRequest,
    string? Error)
{
    /// <summary>The row of a batch whose block steps failed: every time NaN, and why.</summary>
    public static BlockStepResult Failed(int batch, int blockLength, int modelledSteps, string error) => new(
        batch, blockLength, batch * blockLength, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
        double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0, double.NaN, double.NaN, modelledSteps,
        double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, error);
}
