namespace Quicksilver.GpuHarness.Parity;

/// <summary>
/// How close a CUDA output must be to the CPU reference: ‖out − ref‖/‖ref‖ ≤ <see cref="RelativeL2"/> and
/// |out − ref| ≤ <see cref="Absolute"/> + <see cref="Relative"/>·|ref| for every element. The presets state the
/// per-dtype budget and why.
/// </summary>
internal sealed record Tolerance(string DType, double RelativeL2, double Absolute, double Relative)
{
    /// <summary>Copies (embedding, gathers, random init): bit-exact.</summary>
    public static Tolerance Exact { get; } = new("exact", 0, 0, 0);

    /// <summary>
    /// bf16 outputs computed in fp32 from bf16 inputs: the CPU keeps fp32, CUDA rounds to bf16 (≤ ½ ulp = 2⁻⁹
    /// relative) and sometimes once more inside the op (RMSNorm before the weight, P in attention): two ulps plus a
    /// small absolute floor for values that cancel to near zero.
    /// </summary>
    public static Tolerance Bf16 { get; } = new("bf16", 1e-2, 1e-2, 1.6e-2);

    /// <summary>fp32 outputs of bf16 GEMMs (logits): same products, different fp32 summation order.</summary>
    public static Tolerance Fp32Gemm { get; } = new("fp32(gemm)", 1e-4, 2e-3, 1e-3);

    /// <summary>Softmax statistics of identical fp32 logits (probabilities, margins): fp32 exp/log rounding only.</summary>
    public static Tolerance Probability { get; } = new("fp32(prob)", 1e-4, 2e-6, 1e-4);

    /// <summary>Log-probabilities and Σ p log p of identical fp32 logits.</summary>
    public static Tolerance LogProbability { get; } = new("fp32(logp)", 1e-4, 1e-4, 1e-4);

    /// <summary>
    /// Whole-model logits: bf16 activations through every layer against the CPU's fp32 activations compound to a
    /// few percent; the bound scales with the row's largest logit.
    /// </summary>
    public static Tolerance ModelLogits(double maxAbsReference) => new("bf16(model)", 5e-2, 5e-2 * maxAbsReference, 5e-2);

    public override string ToString() => RelativeL2 == 0 && Absolute == 0
        ? $"{DType}: exact"
        : $"{DType}: rel-L2 ≤ {RelativeL2:G2}, |Δ| ≤ {Absolute:G2} + {Relative:G2}·|ref|";
}
