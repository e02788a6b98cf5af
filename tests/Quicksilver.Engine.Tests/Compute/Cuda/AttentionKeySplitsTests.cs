namespace Quicksilver.Engine.Compute.Cuda.Tests;

/// <summary><see cref="AttentionKeySplits.Choose"/>: when the tensor-core attention kernel splits keys, and how far.</summary>
public sealed class AttentionKeySplitsTests
{
    private const int H200Multiprocessors = 132;

    [Fact]
    public void LLaDA8BBlockStep_OneSequence_SplitsItsTwelveTilesSixWays()
    {
        // 32 heads x 1 query tile x 1 sequence = 32 blocks; 768 keys = 12 tiles, at least 2 per split.
        Assert.Equal(6, AttentionKeySplits.Choose(blocks: 32, longestKeys: 768, H200Multiprocessors));
    }

    [Fact]
    public void LongCanvas_SplitsUntilAboutTwoBlocksPerMultiprocessor()
    {
        // ceil(264 / 32) = 9 splits fill the GPU twice over; 4096 keys would allow 32.
        Assert.Equal(9, AttentionKeySplits.Choose(blocks: 32, longestKeys: 4096, H200Multiprocessors));
    }

    [Fact]
    public void TinyLaunchOverManyKeys_CappedAtMax()
    {
        Assert.Equal(AttentionKeySplits.Max, AttentionKeySplits.Choose(blocks: 1, longestKeys: 64 * 1024, H200Multiprocessors));
    }

    [Theory]
    [InlineData(132, 4096)] // as many blocks as multiprocessors
    [InlineData(512, 4096)] // 16 sequences of a block step: 512 blocks
    [InlineData(32, 127)] // one tile: nothing to share
    [InlineData(32, 0)] // no keys
    public void FullLaunchOrTooFewTiles_DoesNotSplit(int blocks, int longestKeys)
    {
        Assert.Equal(1, AttentionKeySplits.Choose(blocks, longestKeys, H200Multiprocessors));
    }
}
