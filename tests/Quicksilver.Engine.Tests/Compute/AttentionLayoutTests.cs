namespace Quicksilver.Engine.Compute.Tests;

public sealed class AttentionLayoutTests
{
    [Theory]
    [InlineData(0, 5, 21)]  // no mask: every key
    [InlineData(8, 3, 8)]   // position 3 sees its block of 8
    [InlineData(8, 7, 8)]   // the block's last position sees the same keys
    [InlineData(8, 8, 16)]  // the next block's first sees both blocks
    [InlineData(8, 20, 21)] // the last, partial block: every key there is
    public void VisibleKeys_BlocksOfEightOver21Keys_KeysBeforeTheEndOfTheQuerysBlock(int blockLength, int position, int expected)
    {
        // The query is row 3 of a sequence whose first query row sits at position − 3 (a K/V cache window).
        var layout = new AttentionLayout([0, 4], [new AttentionKeys(0, 21, null, position - 3)]) { CausalBlockLength = blockLength };

        Assert.Equal(expected, layout.VisibleKeys(layout.Keys[0], 3));
    }
}
