using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;

namespace Quicksilver.Bench;

/// <summary>
/// The CPU matrix product (activations fp32 × weights [N, K]) in GFLOP/s, with BF16 weights used in place (their BF16
/// panels kept after the first product) and with fp32 copies (packed into panels by every product), against a peer in
/// the same process: a plain parallel loop of TensorPrimitives.Dot over fp32 rows. Four heights: 4 rows (a cached
/// block of SDAR's size), 32 (a dual-cache block), 256 (one canvas) and 1536 (a batch of eight 192-token canvases,
/// activations far beyond L2).
/// </summary>
internal static class MatMulBenchmark
{
    private const int K = 1024, N = 3072, Repeats = 5;

    public static string Run(int threads)
    {
        // Untimed passes first, through both kernels (BF16 panels read directly at 4 rows, widened at 32): the process's
        // first products would otherwise time the JIT's tier-0 code.
        for (int i = 0; i < 3; i++)
        {
            Run(threads, 4);
            Run(threads, 32);
        }

        return Run(threads, 4) + Run(threads, 32) + Run(threads, 256) + Run(threads, 1536);
    }

    private static string Run(int threads, int rows)
    {
        string folder = Directory.CreateTempSubdirectory("qs-bench-matmul").FullName;
        try
        {
            var random = new Random(1);
            float[] weights = Enumerable.Range(0, N * K).Select(_ => BFloat16.Round((float)(random.NextDouble() - 0.5))).ToArray();
            float[] input = Enumerable.Range(0, rows * K).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            string path = Path.Combine(folder, "w.safetensors");
            byte[] bytes = MemoryMarshal.AsBytes(weights.Select(BFloat16.FromSingle).ToArray().AsSpan()).ToArray();
            SafetensorsWriter.Write(path, [new SafetensorsWriter.Entry("w", TensorDType.BF16, [N, K], bytes)]);
            using ITensorSource source = CheckpointLoader.OpenFile(path);
            source.TryGet("w", out CheckpointTensor? tensor);

            double flop = 2.0 * rows * N * K;
            double inPlace = Engine(tensor!, input, rows, threads, widen: false);
            double widened = Engine(tensor!, input, rows, threads, widen: true);
            double peer = Peer(weights, input, rows, threads);
            return string.Create(CultureInfo.InvariantCulture, $"""
                ## CPU matrix product, x[{rows}×{K}] · Wᵀ, W [{N}×{K}]

                | variant | ms | GFLOP/s | vs peer |
                |---|---:|---:|---:|
                | engine, BF16 in place, panels kept | {inPlace:F2} | {flop / inPlace / 1e6:F1} | {peer / inPlace:F2}× |
                | engine, fp32 copy, packed per product | {widened:F2} | {flop / widened / 1e6:F1} | {peer / widened:F2}× |
                | peer: Parallel.For × TensorPrimitives.Dot (fp32) | {peer:F2} | {flop / peer / 1e6:F1} | 1.00× |

                """);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Engine(CheckpointTensor tensor, float[] input, int rows, int threads, bool widen)
    {
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = threads, WidenWeightsToFp32 = widen });
        using IWeight weight = backend.LoadWeight(tensor);
        using IDeviceBuffer x = backend.Allocate(rows, K);
        using IDeviceBuffer y = backend.Allocate(rows, N);
        backend.Upload(input, x);
        return Timing.MedianMilliseconds(Repeats, () => backend.MatMul(x, weight, null, y));
    }

    private static double Peer(float[] weights, float[] input, int rows, int threads)
    {
        var output = new float[rows * N];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        return Timing.MedianMilliseconds(Repeats, () => Parallel.For(0, N, options, n =>
        {
            ReadOnlySpan<float> w = weights.AsSpan(n * K, K);
            for (int m = 0; m < rows; m++)
            {
                output[(m * N) + n] = TensorPrimitives.Dot(input.AsSpan(m * K, K), w);
            }
        }));
    }
}
