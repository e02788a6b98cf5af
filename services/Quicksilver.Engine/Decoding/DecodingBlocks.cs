using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Decoding;

/// <summary>
/// How an answer is cut into decoding blocks for a model. Bidirectional models (LLaDA, Dream) take the requested block
/// length, else the deployment's default, from the end of the prompt. Block-diffusion models (SDAR, Fast-dLLM v2)
/// default to their attention block, and their first block ends where the prompt's attention block does, so that every
/// later block is a whole attention block (for Fast-dLLM v2, its opener and the rest): a block is then denoised against
/// a finished prefix, as SDAR's and Fast-dLLM v2's own generate loops do (they fill the prompt's last attention block
/// with masks first). A requested block that divides the attention block is a sub-block (Fast-dLLM v2's
/// <c>small_block_size</c>): the blocks lie on its grid from position 0, so the first ends at the prompt's next
/// multiple of it and none straddles two attention blocks, as Fast-dLLM v2 decodes each block of 32 in sub-blocks of 8
/// and skips those the prompt fills.
/// </summary>
/// <remarks>
/// A model with shifted logits and block-causal attention (Fast-dLLM v2; Dream given an <c>attention_block_length</c>)
/// scores the first position of an attention block from the last row of the one before, which sees nothing of the new
/// block: that position is an <see cref="IsOpener">opener</see>, a block of its own, committed by argmax before the
/// rest of its attention block is denoised — Fast-dLLM v2's generate loop takes it, greedily, from the pass that
/// caches the finished block, and denoises the new block with it in place.
/// </remarks>
/// <param name="BlockLength">Length of the blocks after the first.</param>
/// <param name="LeadingBlock">Length of a shorter first block; 0 when the first block is like the others.</param>
/// <param name="OpenerPeriod">The attention block, for a model with openers; 0 for one without.</param>
/// <param name="FirstOpener">The answer offset of the first opener (the openers follow every <paramref name="OpenerPeriod"/>).</param>
public readonly record struct DecodingBlocks(int BlockLength, int LeadingBlock, int OpenerPeriod = 0, int FirstOpener = 0)
{
    /// <summary>The blocks of an answer to a prompt of <paramref name="promptLength"/> tokens.</summary>
    public static DecodingBlocks For(ModelConfig config, int promptLength, int? requestedBlockLength, int defaultBlockLength)
    {
        ArgumentNullException.ThrowIfNull(config);
        int blockLength = requestedBlockLength ?? DefaultLength(config, defaultBlockLength);
        int attentionBlock = config.AttentionBlockLength;
        if (attentionBlock <= 0)
        {
            return new DecodingBlocks(blockLength, 0);
        }

        int grid = attentionBlock % blockLength == 0 ? blockLength : attentionBlock;
        int leading = (grid - (promptLength % grid)) % grid;
        return config.ShiftLogits
            ? new DecodingBlocks(blockLength, leading, attentionBlock, (attentionBlock - (promptLength % attentionBlock)) % attentionBlock)
            : new DecodingBlocks(blockLength, leading);
    }

    /// <summary>
    /// The block length of a request that names none (and whose model's <c>generation_config.json</c> names none): a
    /// block-diffusion model's attention block, else the deployment's <paramref name="deploymentDefault"/>.
    /// </summary>
    public static int DefaultLength(ModelConfig config, int deploymentDefault)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.AttentionBlockLength > 0 ? config.AttentionBlockLength : deploymentDefault;
    }

    /// <summary>
    /// The lengths of the blocks of an answer of <paramref name="answerLength"/> tokens, left to right: the leading
    /// block, then blocks of <see cref="BlockLength"/>, each split around the openers it holds.
    /// </summary>
    public int[] Lengths(int answerLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(answerLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BlockLength, 1);
        var lengths = new List<int>();
        for (int start = 0; start < answerLength;)
        {
            int end = start + Math.Min(answerLength - start, start == 0 && LeadingBlock > 0 ? LeadingBlock : BlockLength);
            for (int opener = NextOpener(start); opener < end; opener = NextOpener(opener + 1))
            {
                if (opener > start)
                {
                    lengths.Add(opener - start);
                }

                lengths.Add(1);
                start = opener + 1;
            }

            if (end > start)
            {
                lengths.Add(end - start);
            }

            start = end;
        }

        return [.. lengths];
    }

    /// <summary>Whether the block that starts at answer offset <paramref name="start"/> is an opener.</summary>
    public bool IsOpener(int start) => OpenerPeriod > 0 && NextOpener(start) == start;

    private int NextOpener(int offset) => OpenerPeriod <= 0
        ? int.MaxValue
        : offset <= FirstOpener ? FirstOpener : FirstOpener + ((offset - FirstOpener + OpenerPeriod - 1) / OpenerPeriod * OpenerPeriod);
}
