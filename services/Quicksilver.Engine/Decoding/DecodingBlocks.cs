using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Decoding;

/// <summary>
/// How an answer is cut into decoding blocks for a model. Bidirectional models (LLaDA, Dream) take the requested block
/// length, else the deployment's default, from the end of the prompt. Block-diffusion models (SDAR, Fast-dLLM v2)
/// default to their attention block, and their first block ends where the prompt's attention block does, so that every
/// later block is a whole attention block: a block is then denoised against a finished prefix, as SDAR's and Fast-dLLM
/// v2's own generate loops do (they fill the prompt's last attention block with masks first). A requested block that
/// divides the attention block is a sub-block (Fast-dLLM v2's <c>small_block_size</c>): the blocks lie on its grid
/// from position 0, so the first ends at the prompt's next multiple of it and none straddles two attention blocks,
/// as Fast-dLLM v2 decodes each block of 32 in sub-blocks of 8 and skips those the prompt fills.
/// </summary>
/// <param name="BlockLength">Length of the blocks after the first.</param>
/// <param name="LeadingBlock">Length of a shorter first block; 0 when the first block is like the others.</param>
public readonly record struct DecodingBlocks(int BlockLength, int LeadingBlock)
{
    /// <summary>The blocks of an answer to a prompt of <paramref name="promptLength"/> tokens.</summary>
    public static DecodingBlocks For(ModelConfig config, int promptLength, int? requestedBlockLength, int defaultBlockLength)
    {
        ArgumentNullException.ThrowIfNull(config);
        int attentionBlock = config.AttentionBlockLength;
        if (attentionBlock <= 0)
        {
            return new DecodingBlocks(requestedBlockLength ?? defaultBlockLength, 0);
        }

        int blockLength = requestedBlockLength ?? attentionBlock;
        int grid = attentionBlock % blockLength == 0 ? blockLength : attentionBlock;
        return new DecodingBlocks(blockLength, (grid - (promptLength % grid)) % grid);
    }
}
