using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
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
    public void For_FastDllmV2_FillsThePromptsBlockOfThirtyTwoAndOpensEveryLaterOne() =>
        Assert.Equal(new DecodingBlocks(32, 32 - 9, 32, 32 - 9), DecodingBlocks.For(RandomCheckpoint.FastDllmV2Config(blockLength: 32), 41, null, defaultBlockLength: 16));

    [Theory]
    [InlineData(41, 7, 23)]
    [InlineData(40, 0, 24)]
    [InlineData(46, 2, 18)]
    [InlineData(64, 0, 0)]
    public void For_FastDllmV2SubBlocksOfEight_OnTheirGridFromPositionZero(int prompt, int leading, int firstOpener) =>
        Assert.Equal(new DecodingBlocks(8, leading, 32, firstOpener), DecodingBlocks.For(RandomCheckpoint.FastDllmV2Config(blockLength: 32), prompt, 8, defaultBlockLength: 16));

    [Fact]
    public void For_RequestedBlockNotDividingTheAttentionBlock_FinishesThePromptsAttentionBlockFirst() =>
        Assert.Equal(new DecodingBlocks(12, 32 - 9, 32, 32 - 9), DecodingBlocks.For(RandomCheckpoint.FastDllmV2Config(blockLength: 32), 41, 12, defaultBlockLength: 16));

    // Fast-dLLM v2, prompt of 41: the sub-blocks [41, 48), [48, 56), [56, 64), then at 64 and 96 the opener of an
    // attention block, a block of its own, and the rest of its first sub-block.
    [Fact]
    public void Lengths_FastDllmV2SubBlocks_SplitAroundEachAttentionBlocksOpener()
    {
        DecodingBlocks blocks = DecodingBlocks.For(RandomCheckpoint.FastDllmV2Config(blockLength: 32), 41, 8, defaultBlockLength: 16);

        Assert.Equal([7, 8, 8, 1, 7, 8, 8, 8, 1, 7, 2], blocks.Lengths(65));
        Assert.Equal([false, false, false, true, false, false, false, false, true, false, false], Starts(blocks.Lengths(65)).Select(blocks.IsOpener));
    }

    [Theory]
    [InlineData(41, 60, new[] { 23, 1, 31, 1, 4 })]
    [InlineData(64, 40, new[] { 1, 31, 1, 7 })]
    [InlineData(64, 1, new[] { 1 })]
    public void Lengths_FastDllmV2AttentionBlocks_EachOpenedByABlockOfOne(int prompt, int answer, int[] expected) =>
        Assert.Equal(expected, DecodingBlocks.For(RandomCheckpoint.FastDllmV2Config(blockLength: 32), prompt, null, defaultBlockLength: 16).Lengths(answer));

    // A requested block longer than the attention block holds two openers.
    [Fact]
    public void Lengths_BlockLongerThanTheAttentionBlock_SplitAroundEveryOpenerItHolds() =>
        Assert.Equal([23, 1, 31, 1, 31, 1, 4], DecodingBlocks.For(RandomCheckpoint.FastDllmV2Config(blockLength: 32), 41, 64, defaultBlockLength: 16).Lengths(92));

    // A block length near int.MaxValue must not overflow the layout (it used to loop forever).
    [Theory]
    [InlineData(6, 10, new[] { 2, 8 })]
    [InlineData(41, 64, new[] { 23, 1, 31, 1, 8 })]
    public void Lengths_HugeRequestedBlock_IsCutAtTheAnswersEnd(int prompt, int answer, int[] expected)
    {
        ModelConfig config = prompt == 6 ? RandomCheckpoint.SdarConfig(blockLength: 4) : RandomCheckpoint.FastDllmV2Config(blockLength: 32);

        Assert.Equal(expected, DecodingBlocks.For(config, prompt, int.MaxValue, defaultBlockLength: 16).Lengths(answer));
    }

    [Fact]
    public void Lengths_SdarAndBidirectionalModels_HaveNoOpeners()
    {
        DecodingBlocks sdar = DecodingBlocks.For(RandomCheckpoint.SdarConfig(blockLength: 4), 6, null, defaultBlockLength: 32);
        DecodingBlocks llada = DecodingBlocks.For(RandomCheckpoint.LLaDAConfig(), 6, 4, defaultBlockLength: 32);

        Assert.Equal([2, 4, 4], sdar.Lengths(10));
        Assert.Equal([4, 4, 2], llada.Lengths(10));
        Assert.DoesNotContain(Starts(sdar.Lengths(10)), sdar.IsOpener);
        Assert.DoesNotContain(Starts(llada.Lengths(10)), llada.IsOpener);
    }

    [Theory]
    [InlineData(null, 32)]
    [InlineData(8, 8)]
    public void For_BidirectionalModel_RequestedElseDefaultFromThePromptEnd(int? requested, int block) =>
        Assert.Equal(new DecodingBlocks(block, 0), DecodingBlocks.For(RandomCheckpoint.LLaDAConfig(), 10, requested, defaultBlockLength: 32));

    private static IEnumerable<int> Starts(int[] lengths)
    {
        int start = 0;
        foreach (int length in lengths)
        {
            yield return start;
            start += length;
        }
    }
}
