using Quicksilver.Engine.Compute;

namespace Quicksilver.GpuHarness.Bench;

/// <summary>
/// The host arguments of one denoising step for a batch: the computed rows' tokens and canvas positions, the
/// attention layout, the K/V rows stored in caches, and the rows the LM head scores. Every canvas is a prompt of random
/// tokens followed by mask ids.
/// </summary>
internal sealed record StepInputs(int[] Tokens, int[] Positions, AttentionLayout Layout, int[] ScoreRows, RowSampling[] Sampling)
{
    /// <summary>Rows of the step's key/value buffers stored in K/V caches (Fast-dLLM block caching); none without a cache.</summary>
    public KvCacheWrite[] CacheWrites { get; init; } = [];

    /// <summary>The full-canvas step without a cache; the LM head scores the masked positions.</summary>
    public static StepInputs Create(BenchShape shape, int batch, int seed, float temperature) => FullCanvas(shape, batch, seed, temperature, caches: null, shape.Generation);

    /// <summary>
    /// The dual cache's refresh at the first block boundary: the full-canvas step, with every row's keys and values
    /// stored in its sequence's cache and the queries attending over the cache. As in the engine, the LM head scores
    /// only the block being decoded, its first <paramref name="blockLength"/> masks.
    /// </summary>
    public static StepInputs Refresh(BenchShape shape, IReadOnlyList<IKvCache> caches, int seed, int blockLength) => FullCanvas(shape, caches.Count, seed, 0f, caches, blockLength);

    /// <summary>
    /// A dual-cache step inside the first answer block: only the block's <paramref name="blockLength"/> rows (all masks)
    /// of each sequence are computed; their keys and values replace the block's in the cache, and their queries attend
    /// over the whole canvas in it. The LM head scores the block.
    /// </summary>
    public static StepInputs Block(BenchShape shape, IReadOnlyList<IKvCache> caches, int blockLength) =>
        Window(shape, caches, shape.Prompt, blockLength, 0, blockLength);

    /// <summary>
    /// A refresh after the first block that starts after the prompt (<see cref="Engine.Decoding.KvCacheRefresh"/>):
    /// the answer rows from <paramref name="start"/> to the canvas's end are computed against the cached rows before
    /// them, and the LM head scores the block being decoded, the <paramref name="blockLength"/> rows from
    /// <paramref name="decodedBlock"/>.
    /// </summary>
    public static StepInputs LaterRefresh(BenchShape shape, IReadOnlyList<IKvCache> caches, int start, int decodedBlock, int blockLength) =>
        Window(shape, caches, start, shape.Canvas - start, decodedBlock - start, blockLength);

    /// <summary>
    /// Rows <c>[start, start + length)</c> of each sequence's answer (all masks) computed; their keys and values
    /// replace those rows in the cache and their queries attend over the whole canvas in it. The LM head scores
    /// <paramref name="scored"/> of them from the window's row <paramref name="scoredFrom"/>.
    /// </summary>
    private static StepInputs Window(BenchShape shape, IReadOnlyList<IKvCache> caches, int start, int length, int scoredFrom, int scored)
    {
        if (start < shape.Prompt || start + length > shape.Canvas || scoredFrom < 0 || scoredFrom + scored > length)
        {
            throw new ArgumentException(
                $"A window of {length} rows from {start}, scoring {scored} from its row {scoredFrom}, does not fit an answer at [{shape.Prompt}, {shape.Canvas}).");
        }

        int batch = caches.Count, rows = batch * length;
        var tokens = new int[rows];
        var positions = new int[rows];
        var offsets = new int[batch + 1];
        var keys = new AttentionKeys[batch];
        var writes = new KvCacheWrite[batch];
        var scoreRows = new int[batch * scored];
        for (int s = 0; s < batch; s++)
        {
            offsets[s + 1] = offsets[s] + length;
            keys[s] = new AttentionKeys(0, shape.Canvas, caches[s], start);
            writes[s] = new KvCacheWrite(caches[s], s * length, start, length);
            for (int i = 0; i < length; i++)
            {
                tokens[(s * length) + i] = BenchShape.MaskTokenId;
                positions[(s * length) + i] = start + i;
            }

            for (int i = 0; i < scored; i++)
            {
                scoreRows[(s * scored) + i] = (s * length) + scoredFrom + i;
            }
        }

        return new StepInputs(tokens, positions, new AttentionLayout(offsets, keys), scoreRows, Samplings(scoreRows.Length, 0f, 0)) { CacheWrites = writes };
    }

    /// <summary>The whole canvas of every sequence, scoring its first <paramref name="scored"/> masked positions.</summary>
    private static StepInputs FullCanvas(BenchShape shape, int batch, int seed, float temperature, IReadOnlyList<IKvCache>? caches, int scored)
    {
        var random = new Random(seed);
        int canvas = shape.Canvas;
        var tokens = new int[batch * canvas];
        var positions = new int[batch * canvas];
        var offsets = new int[batch + 1];
        var scoreRows = new int[batch * scored];
        for (int s = 0; s < batch; s++)
        {
            offsets[s + 1] = offsets[s] + canvas;
            for (int i = 0; i < canvas; i++)
            {
                int row = (s * canvas) + i;
                positions[row] = i;
                tokens[row] = i < shape.Prompt ? random.Next(BenchShape.MaskTokenId) : BenchShape.MaskTokenId;
            }

            for (int g = 0; g < scored; g++)
            {
                scoreRows[(s * scored) + g] = (s * canvas) + shape.Prompt + g;
            }
        }

        RowSampling[] sampling = Samplings(scoreRows.Length, temperature, seed);
        if (caches is null)
        {
            return new StepInputs(tokens, positions, AttentionLayout.SelfAttention(offsets), scoreRows, sampling);
        }

        AttentionKeys[] keys = [.. caches.Select(c => new AttentionKeys(0, canvas, c))];
        KvCacheWrite[] writes = [.. caches.Select((c, s) => new KvCacheWrite(c, s * canvas, 0, canvas))];
        return new StepInputs(tokens, positions, new AttentionLayout(offsets, keys), scoreRows, sampling) { CacheWrites = writes };
    }

    private static RowSampling[] Samplings(int rows, float temperature, int seed) => [.. Enumerable.Range(0, rows).Select(r => new RowSampling(temperature, (ulong)seed, (ulong)r))];
}
