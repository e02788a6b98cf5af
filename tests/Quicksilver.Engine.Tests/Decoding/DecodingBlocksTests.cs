using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Decoding;

public sealed class DecodingBlocksTests
{
    [Theory]
    [InlineData(10, null, 4, 2)]
    [InlineData(8, null, 4, 0)]
    [InlineData(11, 32, 32, 1)]
    public void For_BlockDiffusionModel_DefaultsToTheAttentionBlockAndFinishesThePromptsBlockFirst(int prompt, int? requested, int block, int leading) =>
        Assert.Equal(new DecodingBlocks(block, leading), DecodingBlocks.For(RandomCheckpoint.SdarConfig(blockLength: 4), prompt, requested, defaultBlockLength: 32));

    [Fact]
    public void For_FastDllmV2_FillsThePromptsBlockOfThirtyTwo() =>
        Assert.Equal(new DecodingBlocks(32, 32 - 9), DecodingBlocks.For(RandomCheckpoint.FastDllmV2Config(blockLength: 32), 41, null, defaultBlockLength: 16));

    [Theory]
    [InlineData(41, 7)]
    [InlineData(40, 0)]
    [InlineData(46, 2)]
    public void For_FastDllmV2SubBlocksOfEight_OnTheirGridFromPositionZero(int prompt, int leading) =>
        Assert.Equal(new DecodingBlocks(8, leading), DecodingBlocks.For(RandomCheckpoint.FastDllmV2Config(blockLength: 32), prompt, 8, defaultBlockLength: 16));

    [Fact]
    public void For_RequestedBlockNotDividingTheAttentionBlock_FinishesThePromptsAttentionBlockFirst() =>
        Assert.Equal(new DecodingBlocks(12, 32 - 9), DecodingBlocks.For(RandomCheckpoint.FastDllmV2Config(blockLength: 32), 41, 12, defaultBlockLength: 16));

    [Theory]
    [InlineData(null, 32)]
    [InlineData(8, 8)]
    public void For_BidirectionalModel_RequestedElseDefaultFromThePromptEnd(int? requested, int block) =>
        Assert.Equal(new DecodingBlocks(block, 0), DecodingBlocks.For(RandomCheckpoint.LLaDAConfig(), 10, requested, defaultBlockLength: 32));
}
