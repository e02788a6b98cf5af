using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Scheduling;

public sealed class RequestValidatorTests
{
    [Theory]
    [InlineData(CommitRule.Threshold, 0.0, RemaskingStrategy.LowConfidence, "threshold")]
    [InlineData(CommitRule.Threshold, 1.01, RemaskingStrategy.LowConfidence, "threshold")]
    [InlineData(CommitRule.Factor, 0.0, RemaskingStrategy.LowConfidence, "factor")]
    [InlineData(CommitRule.Threshold, 0.9, RemaskingStrategy.Random, "remasking")]
    [InlineData(CommitRule.Factor, 1.0, RemaskingStrategy.Entropy, "remasking")]
    [InlineData(CommitRule.Threshold, 0.9, RemaskingStrategy.Origin, "remasking")]
    public void Validate_BadCommitRule_NamesTheField(CommitRule rule, double parameter, RemaskingStrategy remasking, string param)
    {
        var request = new GenerationRequest { PromptTokens = [1], MaxTokens = 4, Commit = rule, CommitParameter = parameter, Remasking = remasking };

        var ex = Assert.Throws<InvalidRequestException>(() => RequestValidator.Validate(request, RandomCheckpoint.LLaDAConfig()));

        Assert.Equal(param, ex.Param);
    }

    [Theory]
    [InlineData(0.0, 0, 0.0, "top_p")]
    [InlineData(1.5, 0, 0.0, "top_p")]
    [InlineData(double.NaN, 0, 0.0, "top_p")]
    [InlineData(1.0, -1, 0.0, "top_k")]
    [InlineData(1.0, 0, -0.1, "alg_temp")]
    [InlineData(1.0, 0, double.PositiveInfinity, "alg_temp")]
    [InlineData(1.0, 0, double.NaN, "alg_temp")]
    public void Validate_BadSamplingField_NamesTheField(double topP, int topK, double algTemp, string param)
    {
        var request = new GenerationRequest { PromptTokens = [1], MaxTokens = 4, TopP = topP, TopK = topK, AlgorithmTemperature = algTemp };

        var ex = Assert.Throws<InvalidRequestException>(() => RequestValidator.Validate(request, RandomCheckpoint.LLaDAConfig()));

        Assert.Equal(param, ex.Param);
    }

    [Theory]
    [InlineData(new int[0], 4, "prompt")]
    [InlineData(new[] { 96 }, 4, "prompt")]
    [InlineData(new[] { 1 }, 0, "max_tokens")]
    [InlineData(new[] { 1, 2 }, 511, "max_tokens")]
    public void Validate_BadPromptOrLength_NamesTheField(int[] prompt, int maxTokens, string param)
    {
        var request = new GenerationRequest { PromptTokens = prompt, MaxTokens = maxTokens };

        var ex = Assert.Throws<InvalidRequestException>(() => RequestValidator.Validate(request, RandomCheckpoint.LLaDAConfig()));

        Assert.Equal(param, ex.Param);
    }

    [Theory]
    [InlineData(96, 1f)]
    [InlineData(95, 1f)]
    [InlineData(-1, 1f)]
    [InlineData(5, 100.5f)]
    [InlineData(5, float.NaN)]
    [InlineData(5, float.NegativeInfinity)]
    public void Validate_BadLogitBias_NamesTheField(int token, float bias)
    {
        var request = new GenerationRequest { PromptTokens = [1], MaxTokens = 4, LogitBias = [new(3, 1f), new(token, bias)] };

        var ex = Assert.Throws<InvalidRequestException>(() => RequestValidator.Validate(request, RandomCheckpoint.LLaDAConfig()));

        Assert.Equal("logit_bias", ex.Param);
    }

    [Fact]
    public void Validate_LogitBiasNamingATokenTwice_NamesTheField()
    {
        var request = new GenerationRequest { PromptTokens = [1], MaxTokens = 4, LogitBias = [new(3, 1f), new(3, -1f)] };

        Assert.Equal("logit_bias", Assert.Throws<InvalidRequestException>(() => RequestValidator.Validate(request, RandomCheckpoint.LLaDAConfig())).Param);
    }

    [Fact]
    public void Validate_LogitBiasAtTheLimits_IsAccepted()
    {
        var request = new GenerationRequest { PromptTokens = [1], MaxTokens = 4, LogitBias = [new(0, -100f), new(94, 100f)] };

        RequestValidator.Validate(request, RandomCheckpoint.LLaDAConfig());
    }

    [Theory]
    [InlineData(new[] { 96 }, 4, 0)]
    [InlineData(new[] { 1, 2, 3 }, 509, 0)]
    [InlineData(new[] { 1 }, 4, 8)]
    public void Validate_BadSuffix_IsRefused(int[] suffix, int maxTokens, int attentionBlock)
    {
        var request = new GenerationRequest { PromptTokens = [1], MaxTokens = maxTokens, SuffixTokens = suffix };
        ModelConfig config = RandomCheckpoint.LLaDAConfig() with { AttentionBlockLength = attentionBlock };

        var ex = Assert.Throws<InvalidRequestException>(() => RequestValidator.Validate(request, config));

        Assert.Equal(maxTokens > 500 ? "max_tokens" : "suffix", ex.Param);
    }

    [Theory]
    [InlineData(2.5, 0.0, "presence_penalty")]
    [InlineData(0.0, -2.01, "frequency_penalty")]
    [InlineData(double.NaN, 0.0, "presence_penalty")]
    public void Validate_PenaltyOutOfRange_NamesTheField(double presence, double frequency, string param)
    {
        var request = new GenerationRequest { PromptTokens = [1], MaxTokens = 4, PresencePenalty = presence, FrequencyPenalty = frequency };

        Assert.Equal(param, Assert.Throws<InvalidRequestException>(() => RequestValidator.Validate(request, RandomCheckpoint.LLaDAConfig())).Param);
    }

    [Theory]
    [InlineData(96, -1, false)]
    [InlineData(96, 21, false)]
    [InlineData(96, 20, true)]
    [InlineData(8, 8, false)] // eight tokens, one of them the mask: seven candidates
    [InlineData(8, 7, true)]
    public void Validate_TopLogprobs_AtMostTwentyAndTheCandidates(int vocab, int topLogprobs, bool valid)
    {
        var request = new GenerationRequest { PromptTokens = [1], MaxTokens = 4, TopLogprobs = topLogprobs };
        ModelConfig config = RandomCheckpoint.LLaDAConfig(vocab: vocab);

        if (valid)
        {
            RequestValidator.Validate(request, config);
        }
        else
        {
            Assert.Equal("top_logprobs", Assert.Throws<InvalidRequestException>(() => RequestValidator.Validate(request, config)).Param);
        }
    }
}
