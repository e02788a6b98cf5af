using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// A weight used in place: BF16/F16/F32 rows read straight from the memory-mapped checkpoint and widened to fp32 as
/// they are read. With <see cref="CpuBackendOptions.WidenWeightsToFp32"/> a matrix also keeps fp32
/// <see cref="WeightPanel"/>s for the matrix product, packed once on its first product instead of on every call
/// (faster, twice the memory of BF16 for the matrices that are multiplied; an embedding table that is only gathered
/// is never packed).
/// </summary>
internal sealed unsafe class CpuWeight : IWeight
{
    private readonly bool _keepPanels;
    private readonly Lock _packing = new();
    private nint _panels;

    public CpuWeight(CheckpointTensor tensor, bool keepPanels)
    {
        Name = tensor.Name;
        (Rows, Columns) = tensor.Shape.Count switch
        {
            1 => (1, checked((int)tensor.Shape[0])),
            2 => (checked((int)tensor.Shape[0]), checked((int)tensor.Shape[1])),
            _ => throw new ArgumentException($"Tensor '{tensor.Name}' has {tensor.Shape.Count} dimensions; weights have 1 or 2.", nameof(tensor)),
        };

        Data = tensor.Data;
        DType = tensor.DType;
        _keepPanels = keepPanels;
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

    /// <summary>Panels of the whole matrix, <see cref="PanelCount"/> of <c>16 · Columns</c> floats each.</summary>
    public int PanelCount => (Rows + WeightPanel.Width - 1) / WeightPanel.Width;

    /// <summary>Writes row <paramref name="row"/> as fp32 into <paramref name="destination"/>.</summary>
    public void ReadRow(int row, Span<float> destination) => WeightRows.Widen(DType, Data, row, Columns, destination);

    /// <summary>The row as fp32 without copying, when the weight is stored in fp32.</summary>
    public float* Fp32Row(int row) => (float*)Data + ((long)row * Columns);

    /// <summary>
    /// The matrix's kept panels, packed on the first call (across <paramref name="parallel"/>'s threads); null when
    /// the backend packs panels per product instead.
    /// </summary>
    public float* KeptPanels(ParallelOptions parallel)
    {
        if (!_keepPanels)
        {
            return null;
        }

        nint panels = Volatile.Read(ref _panels);
        if (panels != 0)
        {
            return (float*)panels;
        }

        lock (_packing)
        {
            if (_panels == 0)
            {
                Volatile.Write(ref _panels, (nint)Pack(parallel));
            }

            return (float*)_panels;
        }
    }

    private float* Pack(ParallelOptions parallel)
    {
        long panelFloats = (long)WeightPanel.Width * Columns;
        float* panels = (float*)NativeMemory.AlignedAlloc((nuint)(PanelCount * panelFloats * sizeof(float)), 64);
        Parallel.For(
            0,
            PanelCount,
            parallel,
            () => new float[WeightPanel.ScratchFloats(Columns)],
            (panel, _, scratch) =>
            {
                fixed (float* widened = scratch)
                {
                    WeightPanel.Pack(this, panel * WeightPanel.Width, widened, panels + (panel * panelFloats));
                }

                return scratch;
            },
            _ => { });
        return panels;
    }

    public void Dispose()
    {
        if (_panels != 0)
        {
            NativeMemory.AlignedFree((void*)_panels);
            _panels = 0;
        }

        Data = null;
    }
}
