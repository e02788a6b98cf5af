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
        var products = new (CudaBuffer X, CudaWeight W, CudaWeight? B, CudaBuffer Y)[weights.Length];
        for (int i = 0; i < products.Length; i++)
        {
            products[i] = CheckProduct(input, weights[i], biases[i], outputs[i]);
        }

        if (!BatchSharedProducts)
        {
            for (int i = 0; i < products.Length; i++)
            {
                MatMul(input, weights[i], biases[i], outputs[i]);
            }

            return;
        }

        MakeCurrent();
        var done = new bool[products.Length];
        for (int i = 0; i < products.Length; i++)
        {
            if (done[i])
            {
                continue;
            }

            List<int> group = [i];
            for (int j = i + 1; j < products.Length; j++)
            {
                if (!done[j] && products[j].W.Rows == products[i].W.Rows && products[j].Y.ElementType == products[i].Y.ElementType)
                {
                    group.Add(j);
                    done[j] = true;
                }
            }

            RunBatched(products, group);
        }
    }

    private void RunBatched((CudaBuffer X, CudaWeight W, CudaWeight? B, CudaBuffer Y)[] products, List<int> group)
    {
        CudaBuffer x = products[group[0]].X;
        foreach (int i in group)
        {
            products[i].Y.Rows = x.Rows;
        }

        if (x.Rows == 0)
        {
            return;
        }

        Launches++;
        (CudaWeight w0, CudaBuffer y0) = (products[group[0]].W, products[group[0]].Y);
        if (group.Count == 1)
        {
            blas.MatMulRowMajor(x.Pointer, x.Rows, x.Columns, w0.Pointer, w0.Rows, y0.Pointer, GemmOutputType(y0));
        }
        else
        {
            // One table: the input's address once per product, then the weights', then the outputs'.
            var addresses = new ulong[3 * group.Count];
            for (int g = 0; g < group.Count; g++)
            {
                addresses[g] = x.Pointer;
                addresses[group.Count + g] = products[group[g]].W.Pointer;
                addresses[(2 * group.Count) + g] = products[group[g]].Y.Pointer;
            }

            ulong table = PointerTable(addresses);
            ulong stride = (ulong)(group.Count * sizeof(ulong));
            blas.BatchedMatMulRowMajor(table, x.Rows, x.Columns, table + stride, w0.Rows, table + (2 * stride), GemmOutputType(y0), group.Count);
        }

        foreach (int i in group)
        {
            AfterProduct(products[i].W.Name, products[i].B, products[i].Y);
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
