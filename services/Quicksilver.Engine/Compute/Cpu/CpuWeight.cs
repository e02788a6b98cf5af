using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// A weight matrix used in place: BF16/F16/F32 rows read straight from the memory-mapped checkpoint and widened
/// to fp32 a tile at a time by the kernels. A BF16 matrix that is multiplied also keeps its rows rearranged into BF16
/// <see cref="WeightPanel"/>s, built by its first product: the same bytes as the checkpoint's (whose pages the kernel
/// then no longer reads), so no product packs panels again — the cost that dominated products of a few rows, as a
/// cached block's are. With <see cref="CpuBackendOptions.WidenWeightsToFp32"/> the matrix is instead copied once to
/// fp32 native memory (twice the memory of BF16) and packed per product.
/// </summary>
internal sealed unsafe class CpuWeight : IWeight
{
    private readonly bool _ownsMemory;
    private readonly Lock _packing = new();
    private nint _bf16Panels;

    public CpuWeight(CheckpointTensor tensor, bool widenToFp32)
    {
        Name = tensor.Name;
        (Rows, Columns) = tensor.Shape.Count switch
        {
            1 => (1, checked((int)tensor.Shape[0])),
            2 => (checked((int)tensor.Shape[0]), checked((int)tensor.Shape[1])),
            _ => throw new ArgumentException($"Tensor '{tensor.Name}' has {tensor.Shape.Count} dimensions; weights have 1 or 2.", nameof(tensor)),
        };

        if (widenToFp32 && tensor.DType != TensorDType.F32)
        {
            long count = (long)Rows * Columns;
            float* copy = (float*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(float)), 64);
            for (int r = 0; r < Rows; r++)
            {
                WeightRows.Widen(tensor.DType, tensor.Data, r, Columns, new Span<float>(copy + ((long)r * Columns), Columns));
            }

            Data = (byte*)copy;
            DType = TensorDType.F32;
            _ownsMemory = true;
        }
        else
        {
            Data = tensor.Data;
            DType = tensor.DType;
        }

        if (Rows == 1)
        {
            // Norm weights and biases are read whole on every call: widen them once.
            Vector = new float[Columns];
            ReadRow(0, Vector);
        }
    }

    /// <summary>A one-row weight (norm scale, bias) in fp32; null for matrices.</summary>
    public float[]? Vector { get; }

    public string Name { get; }

    public int Rows { get; }

    public int Columns { get; }

    public TensorDType DType { get; }

    public byte* Data { get; private set; }

    /// <summary>Writes row <paramref name="row"/> as fp32 into <paramref name="destination"/>.</summary>
    public void ReadRow(int row, Span<float> destination) => WeightRows.Widen(DType, Data, row, Columns, destination);

    /// <summary>The row as fp32 without copying, when the weight is stored in fp32.</summary>
    public float* Fp32Row(int row) => (float*)Data + ((long)row * Columns);

    /// <summary>
    /// The matrix as BF16 panels, <c>16 · Columns</c> values each, packed across <paramref name="parallel"/>'s threads
    /// on the first call; null unless the matrix is BF16 in place.
    /// </summary>
    public ushort* KeptBf16Panels(ParallelOptions parallel)
    {
        if (DType != TensorDType.BF16 || Rows == 1)
        {
            return null;
        }

        nint panels = Volatile.Read(ref _bf16Panels);
        if (panels != 0)
        {
            return (ushort*)panels;
        }

        lock (_packing)
        {
            if (_bf16Panels == 0)
            {
                Volatile.Write(ref _bf16Panels, (nint)PackBf16(parallel));
            }

            return (ushort*)_bf16Panels;
        }
    }

    private ushort* PackBf16(ParallelOptions parallel)
    {
        int panelCount = (Rows + WeightPanel.Width - 1) / WeightPanel.Width;
        long panelValues = (long)WeightPanel.Width * Columns;
        var panels = (ushort*)NativeMemory.AlignedAlloc((nuint)(panelCount * panelValues * sizeof(ushort)), 64);
        Parallel.For(0, panelCount, parallel, panel => WeightPanel.PackBf16(this, panel * WeightPanel.Width, panels + (panel * panelValues)));
        return panels;
    }

    public void Dispose()
    {
        if (_bf16Panels != 0)
        {
            NativeMemory.AlignedFree((void*)_bf16Panels);
            _bf16Panels = 0;
        }

        if (_ownsMemory && Data != null)
        {
            NativeMemory.AlignedFree(Data);
        }

        Data = null;
    }
}
