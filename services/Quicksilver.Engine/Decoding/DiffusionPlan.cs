using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Decoding;

/// <summary>
/// The block schedule of one answer: the canvas of <c>AnswerLength</c> masks is split into semi-autoregressive
/// blocks decoded left to right, each with its own number of denoising steps, and within a block the number of masks
/// each step commits follows the model family's sampler (<see cref="BlockSchedule"/>).
/// </summary>
/// <remarks>
/// LLaDA's <c>generate()</c> requires <c>gen_length % block_length == 0</c> and <c>steps % num_blocks == 0</c>.
/// An API cannot impose that on <c>max_tokens</c>, so the last block may be shorter and the steps are shared among
/// blocks in proportion to their length (largest remainders first). When LLaDA's conditions hold, every block gets
/// exactly <c>steps / num_blocks</c> steps, as in the reference.
/// </remarks>
public sealed record DiffusionPlan
{
    /// <summary>
    /// The final timestep when the model names none: <c>eps</c> of Dream's <c>DreamGenerationConfig</c> and of the
    /// Dream-v0 checkpoints' <c>generation_config.json</c>.
    /// </summary>
    public const double DefaultEps = 1e-3;

    private readonly bool[] _openers;

    private DiffusionPlan(int answerLength, int[] blockLengths, int[] blockSteps, bool[] openers, ModelArchitecture family, double eps)
    {
        AnswerLength = answerLength;
        BlockLengths = blockLengths;
        BlockSteps = blockSteps;
        _openers = openers;
        Family = family;
        Eps = eps;
    }

    /// <summary>Masked positions appended to the prompt.</summary>
    public int AnswerLength { get; }

    /// <summary>Length of each block, left to right.</summary>
    public IReadOnlyList<int> BlockLengths { get; }

    /// <summary>Denoising steps of each block.</summary>
    public IReadOnlyList<int> BlockSteps { get; }

    /// <summary>The model family whose per-step commit counts the plan follows.</summary>
    public ModelArchitecture Family { get; }

    /// <summary>
    /// The final timestep of the timestep schedule, <c>linspace(1, eps, steps + 1)</c> per block: it shapes Dream's
    /// commit counts and, for either family, <see cref="RemaskingStrategy.Origin"/>'s reveal probabilities.
    /// </summary>
    public double Eps { get; }

    /// <summary>Total denoising steps (forward passes) the plan takes if no early stop happens.</summary>
    public int TotalSteps => BlockSteps.Sum();

    /// <summary>Builds the plan of blocks of <paramref name="blockLength"/> (the last may be shorter); see the overload.</summary>
    public static DiffusionPlan Create(int answerLength, int blockLength, int steps, ModelArchitecture family = ModelArchitecture.LLaDA, double eps = DefaultEps) =>
        Create(new DecodingBlocks(blockLength, 0), answerLength, steps, family, eps);

    /// <summary>
    /// Builds the plan. <paramref name="steps"/> is clamped to <c>[blocks, answerLength]</c>: every block needs
    /// at least one step, and more steps than masks would commit nothing in some steps.
    /// </summary>
    /// <param name="blocks">How the answer is cut into blocks (<see cref="DecodingBlocks.For"/>).</param>
    /// <param name="answerLength">Masked positions appended to the prompt.</param>
    /// <param name="steps">Denoising steps over the whole answer.</param>
    /// <param name="family">Whose sampler's commit counts to follow: LLaDA's linear schedule or Dream's timesteps.</param>
    /// <param name="eps">The timestep schedule's final timestep, in (0, 1) (<c>eps</c> of the model's <c>generation_config.json</c>).</param>
    public static DiffusionPlan Create(DecodingBlocks blocks, int answerLength, int steps, ModelArchitecture family = ModelArchitecture.LLaDA, double eps = DefaultEps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(answerLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (!(eps > 0 && eps < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "The final timestep must be in (0, 1).");
        }

        int[] lengths = blocks.Lengths(answerLength);
        var openers = new bool[lengths.Length];
        for (int b = 0, start = 0; b < lengths.Length; start += lengths[b++])
        {
            openers[b] = blocks.IsOpener(start);
        }

        steps = Math.Clamp(steps, lengths.Length, answerLength);
        return new DiffusionPlan(answerLength, lengths, ShareSteps(lengths, steps, answerLength), openers, family, eps);
    }

    /// <summary>
    /// Whether block <paramref name="block"/> is an opener (<see cref="DecodingBlocks.IsOpener"/>): its one token is
    /// committed by argmax whatever the request's temperature, as Fast-dLLM v2 commits the token that starts a block.
    /// </summary>
    public bool IsOpener(int block) => _openers[block];

    /// <summary>
    /// How many masks each step of block <paramref name="block"/> commits under <see cref="CommitRule.Schedule"/>:
    /// LLaDA's <see cref="TransferSchedule"/>, or for Dream its timestep schedule
    /// (<c>linspace(1, <see cref="Eps"/>, steps + 1)</c>, <c>int(n · (1 − s/t))</c> of the n masks left, all on the last step).
    /// </summary>
    public int[] BlockSchedule(int block) => Family == ModelArchitecture.Dream
        ? DreamTimestepSchedule.Counts(BlockLengths[block], BlockSteps[block], Eps)
        : TransferSchedule(BlockLengths[block], BlockSteps[block]);

    /// <summary>
    /// For each step of block <paramref name="block"/>, the probability <c>s/t</c> of the timestep schedule
    /// (<c>linspace(1, <see cref="Eps"/>, steps + 1)</c>) that a mask left before the step stays masked after it, 0 on
    /// the block's last step: what <see cref="RemaskingStrategy.Origin"/> reveals by, for either family.
    /// </summary>
    public float[] KeepProbabilities(int block) => DreamTimestepSchedule.KeepProbabilities(BlockSteps[block], Eps);

    /// <summary>
    /// LLaDA's <c>get_num_transfer_tokens</c>: how many of <paramref name="maskedCount"/> masks each of
    /// <paramref name="steps"/> steps commits — <c>m / steps</c> each, the first <c>m % steps</c> one more.
    /// </summary>
    public static int[] TransferSchedule(int maskedCount, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maskedCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var counts = new int[steps];
        int quotient = maskedCount / steps;
        int remainder = maskedCount % steps;
        for (int i = 0; i < steps; i++)
        {
            counts[i] = quotient + (i < remainder ? 1 : 0);
        }

        return counts;
    }

    private static int[] ShareSteps(int[] lengths, int steps, int answerLength)
    {
        var shares = new int[lengths.Length];
        var remainders = new (long Remainder, int Block)[lengths.Length];
        int assigned = 0;
        for (int b = 0; b < lengths.Length; b++)
        {
            long exact = (long)steps * lengths[b];
            shares[b] = Math.Max(1, (int)(exact / answerLength));
            remainders[b] = (exact % answerLength, b);
            assigned += shares[b];
        }

        // Hand out what rounding left over, largest remainder first, ties to the earlier block.
        Array.Sort(remainders, (x, y) => x.Remainder != y.Remainder ? y.Remainder.CompareTo(x.Remainder) : x.Block.CompareTo(y.Block));
        for (int i = 0; assigned < steps; i = (i + 1) % remainders.Length)
        {
            int b = remainders[i].Block;
            if (shares[b] < lengths[b])
            {
                shares[b]++;
                assigned++;
            }
        }

        // Blocks lifted to one step can push the total past the request; take the excess back from the largest shares.
        while (assigned > steps)
        {
            int largest = Array.IndexOf(shares, shares.Max());
            shares[largest]--;
            assigned--;
        }

        return shares;
    }
}
