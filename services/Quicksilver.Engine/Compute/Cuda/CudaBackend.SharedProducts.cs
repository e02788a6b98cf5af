using System.Runtime.InteropServices;
using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <content>
/// Products sharing one input (a layer's q, k and v; its gate and up): those of equal shape run as one batched GEMM,
/// which fills more of the GPU than its parts one after another when a block step has few rows, and launches once.
/// </content>
public sealed partial class CudaBackend
{
    // cublasGemmBatchedEx reads its operands through device arrays of device addresses. One table per distinct list of
    // addresses, made on first use and kept: weights and the forward pass's workspace keep their addresses from step
    // to step, so after the first step every lookup finds its table and nothing is copied. New lists come only with a
    // grown workspace or other weights; past MaxPointerTables (models loaded one after another on one backend) the
    // tables are dropped and remade as needed.
    private const int MaxPointerTables = 1024;
    private readonly Dictionary<ulong[], CudaDeviceMemoryHandle> gemmPointerTables = new(AddressListComparer.Instance);

    /// <summary>
    /// Run products of equal shape in <see cref="MatMulShared"/> as one batched GEMM (the default); <c>false</c> runs
    /// each as <see cref="MatMul"/> does, for timing the batched call against its parts.
    /// </summary>
    public bool BatchSharedProducts { get; set; } = true;

    /// <inheritdoc />
    public void MatMulShared(IDeviceBuffer input, ReadOnlySpan<IWeight> weights, ReadOnlySpan<IWeight?> biases, ReadOnlySpan<IDeviceBuffer> outputs)
    {
        SharedProducts.Check(weights.Length, biases.Length, outputs.Length);
        var products = new List<GemmProduct>(weights.Length);
        for (int i = 0; i < weights.Length; i++)
        {
            products.Add(CheckProduct(input, weights[i], biases[i], outputs[i]));
        }

        // Every product is checked before any runs; then each group of one shape (or, unbatched, each product) runs.
        while (products.Count > 0)
        {
            GemmProduct first = products[0];
            if (!BatchSharedProducts)
            {
                products.RemoveAt(0);
                RunProducts([first]);
                continue;
            }

            bool SameShape(GemmProduct p) => p.W.Rows == first.W.Rows && p.Y.ElementType == first.Y.ElementType;
            List<GemmProduct> group = products.FindAll(SameShape);
            products.RemoveAll(SameShape);
            RunProducts(CollectionsMarshal.AsSpan(group));
        }
    }

    // Products of one input and one shape: one GEMM, or one batched GEMM for several; then each bias.
    private void RunProducts(ReadOnlySpan<GemmProduct> group)
    {
        CudaBuffer x = group[0].X;
        MakeCurrent();
        foreach (GemmProduct product in group)
        {
            product.Y.Rows = x.Rows;
        }

        if (x.Rows == 0)
        {
            return;
        }

        Launches++;
        (CudaWeight w0, CudaBuffer y0) = (group[0].W, group[0].Y);
        CudaDataType outputType = y0.ElementType == CudaElementType.BFloat16 ? CudaDataType.CUDA_R_16BF : CudaDataType.CUDA_R_32F;
        if (group.Length == 1)
        {
            blas.MatMulRowMajor(x.Pointer, x.Rows, x.Columns, w0.Pointer, w0.Rows, y0.Pointer, outputType);
        }
        else
        {
            // One table: the input's address once per product, then the weights', then the outputs'.
            var addresses = new ulong[3 * group.Length];
            for (int g = 0; g < group.Length; g++)
            {
                addresses[g] = x.Pointer;
                addresses[group.Length + g] = group[g].W.Pointer;
                addresses[(2 * group.Length) + g] = group[g].Y.Pointer;
            }

            ulong table = PointerTable(addresses);
            ulong stride = (ulong)(group.Length * sizeof(ulong));
            blas.BatchedMatMulRowMajor(table, x.Rows, x.Columns, table + stride, w0.Rows, table + (2 * stride), outputType, group.Length);
        }

        if (synchronizeEachLaunch)
        {
            CudaCheck.Driver(CudaDriverApi.cuStreamSynchronize(stream), nameof(CudaDriverApi.cuStreamSynchronize), $"after cuBLAS for '{w0.Name}'");
        }

        foreach (GemmProduct product in group)
        {
            if (product.B is { } bias)
            {
                CudaBuffer y = product.Y;
                Launch(
                    y.ElementType == CudaElementType.BFloat16 ? KernelCatalog.AddBiasBf16 : KernelCatalog.AddBiasF32,
                    Dim3.Blocks(y.ElementCount, ElementwiseBlock),
                    new Dim3(ElementwiseBlock),
                    0,
                    [y.Pointer, bias.Pointer, y.Rows, y.Columns]);
            }
        }
    }

    private unsafe ulong PointerTable(ulong[] addresses)
    {
        if (!gemmPointerTables.TryGetValue(addresses, out CudaDeviceMemoryHandle? table))
        {
            if (gemmPointerTables.Count >= MaxPointerTables)
            {
                Synchronize(); // products queued earlier may still read a table
                DisposePointerTables();
            }

            table = CudaDeviceMemoryHandle.Allocate(addresses.Length * sizeof(ulong), Ctx);
            try
            {
                fixed (ulong* p = addresses)
                {
                    CopyToDevice(table.Pointer, (byte*)p, addresses.Length * sizeof(ulong));
                }
            }
            catch
            {
                table.Dispose();
                throw;
            }

            gemmPointerTables[addresses] = table;
        }

        return table.Pointer;
    }

    private void DisposePointerTables()
    {
        foreach (CudaDeviceMemoryHandle table in gemmPointerTables.Values)
        {
            table.Dispose();
        }

        gemmPointerTables.Clear();
    }

    private readonly record struct GemmProduct(CudaBuffer X, CudaWeight W, CudaWeight? B, CudaBuffer Y);

    private sealed class AddressListComparer : IEqualityComparer<ulong[]>
    {
        public static readonly AddressListComparer Instance = new();

        public bool Equals(ulong[]? a, ulong[]? b) => a.AsSpan().SequenceEqual(b);

        public int GetHashCode(ulong[] addresses)
        {
            var hash = default(HashCode);
            hash.AddBytes(MemoryMarshal.AsBytes(addresses.AsSpan()));
            return hash.ToHashCode();
        }
    }
}
