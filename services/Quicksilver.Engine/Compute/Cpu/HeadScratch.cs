namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// Working memory of one attention head in <see cref="CpuAttention"/>: key panels (keys padded to sixteen), value
/// panels (head dimensions padded to sixteen), scores of six query rows, and a zero key row for the padding.
/// </summary>
internal readonly unsafe struct HeadScratch
{
    private readonly float* _memory;
    private readonly int _headDim;
    private readonly int _keys;

    public HeadScratch(float* memory, int keys, int headDim)
    {
        _memory = memory;
        _keys = keys;
        _headDim = headDim;
        PaddedKeys = Padded(keys);
        ValuePanels = Padded(headDim) / WeightPanel.Width;
        new Span<float>(ZeroRow, headDim).Clear();
    }

    /// <summary>Keys rounded up to whole panels: the width of a row of scores.</summary>
    public int PaddedKeys { get; }

    public int ValuePanels { get; }

    public float* ZeroRow => _memory;

    public float* Scores => ZeroRow + _headDim;

    public float* KeyPanel(int panel) => Scores + ((long)MatMulKernel.Rows * PaddedKeys) + ((long)panel * WeightPanel.Width * _headDim);

    public float* ValuePanel(int panel) => KeyPanel(0) + ((long)PaddedKeys * _headDim) + ((long)panel * WeightPanel.Width * _keys);

    /// <summary>Floats for a head of <paramref name="keys"/> keys of <paramref name="headDim"/>.</summary>
    public static int Floats(int keys, int headDim) =>
        headDim + (MatMulKernel.Rows * Padded(keys)) + (Padded(keys) * headDim) + (Padded(headDim) * keys);

    private static int Padded(int count) => (count + WeightPanel.Width - 1) / WeightPanel.Width * WeightPanel.Width;
}
