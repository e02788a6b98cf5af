using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

/// <summary>The C# mirrors of structs in kernels/*.cu must match their C layout (static_asserts there).</summary>
public sealed class MirroredStructTests
{
    [Fact]
    public void RowSamplingArgs_MatchesCLayout()
    {
        Assert.Equal(40, Unsafe.SizeOf<RowSamplingArgs>());
        Assert.Equal(40, Marshal.SizeOf<RowSamplingArgs>());
        Assert.Equal(0, Marshal.OffsetOf<RowSamplingArgs>(nameof(RowSamplingArgs.Temperature)).ToInt32());
        Assert.Equal(4, Marshal.OffsetOf<RowSamplingArgs>(nameof(RowSamplingArgs.TopK)).ToInt32());
        Assert.Equal(8, Marshal.OffsetOf<RowSamplingArgs>(nameof(RowSamplingArgs.Seed)).ToInt32());
        Assert.Equal(16, Marshal.OffsetOf<RowSamplingArgs>(nameof(RowSamplingArgs.Counter)).ToInt32());
        Assert.Equal(24, Marshal.OffsetOf<RowSamplingArgs>(nameof(RowSamplingArgs.TopP)).ToInt32());
        Assert.Equal(32, Marshal.OffsetOf<RowSamplingArgs>(nameof(RowSamplingArgs.DrawConfidences)).ToInt32());
    }

    [Fact]
    public void LogitBiasStructs_MatchCLayout()
    {
        Assert.Equal(16, Unsafe.SizeOf<LogitBiasRows>());
        Assert.Equal(12, Marshal.OffsetOf<LogitBiasRows>("<BiasCount>k__BackingField").ToInt32());
        Assert.Equal(8, Unsafe.SizeOf<TokenBias>());
        Assert.Equal(4, Marshal.OffsetOf<TokenBias>("<Bias>k__BackingField").ToInt32());
    }

    [Fact]
    public void TopLogprobsKernel_ListsHoldMaxAlternatives()
    {
        string source = KernelSources.FromAssembly(typeof(CudaBackend).Assembly).Programs["top_logprobs.cu"];
        Match define = Regex.Match(source, @"^#define QS_TOP_LOGPROBS_MAX (\d+)\r?$", RegexOptions.Multiline);
        Assert.True(define.Success, "top_logprobs.cu defines QS_TOP_LOGPROBS_MAX");
        Assert.Equal(TokenLogprob.MaxAlternatives, int.Parse(define.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TopLogprobsStructs_MatchCLayout()
    {
        Assert.Equal(12, Unsafe.SizeOf<TopLogprobsRow>());
        Assert.Equal(4, Marshal.OffsetOf<TopLogprobsRow>("<ChosenToken>k__BackingField").ToInt32());
        Assert.Equal(8, Marshal.OffsetOf<TopLogprobsRow>("<ChosenLogProbability>k__BackingField").ToInt32());
        Assert.Equal(8, Unsafe.SizeOf<TokenLogprob>());
        Assert.Equal(4, Marshal.OffsetOf<TokenLogprob>("<LogProbability>k__BackingField").ToInt32());
    }

    [Fact]
    public void TokenScoreResult_MatchesCLayout()
    {
        Assert.Equal(20, Unsafe.SizeOf<TokenScoreResult>());
        Assert.Equal(0, Marshal.OffsetOf<TokenScoreResult>(nameof(TokenScoreResult.Token)).ToInt32());
        Assert.Equal(4, Marshal.OffsetOf<TokenScoreResult>(nameof(TokenScoreResult.Probability)).ToInt32());
        Assert.Equal(8, Marshal.OffsetOf<TokenScoreResult>(nameof(TokenScoreResult.LogProbability)).ToInt32());
        Assert.Equal(12, Marshal.OffsetOf<TokenScoreResult>(nameof(TokenScoreResult.Margin)).ToInt32());
        Assert.Equal(16, Marshal.OffsetOf<TokenScoreResult>(nameof(TokenScoreResult.NegativeEntropy)).ToInt32());
    }

    [Fact]
    public void AttentionKeysArgs_MatchesCLayout()
    {
        Assert.Equal(32, Unsafe.SizeOf<AttentionKeysArgs>());
        Assert.Equal(0, Marshal.OffsetOf<AttentionKeysArgs>(nameof(AttentionKeysArgs.Keys)).ToInt32());
        Assert.Equal(8, Marshal.OffsetOf<AttentionKeysArgs>(nameof(AttentionKeysArgs.Values)).ToInt32());
        Assert.Equal(16, Marshal.OffsetOf<AttentionKeysArgs>(nameof(AttentionKeysArgs.LayerStride)).ToInt32());
        Assert.Equal(24, Marshal.OffsetOf<AttentionKeysArgs>(nameof(AttentionKeysArgs.Count)).ToInt32());
        Assert.Equal(28, Marshal.OffsetOf<AttentionKeysArgs>(nameof(AttentionKeysArgs.FirstQueryPosition)).ToInt32());
    }

    [Fact]
    public void KvCacheRowWriteArgs_MatchesCLayout()
    {
        Assert.Equal(32, Unsafe.SizeOf<KvCacheRowWriteArgs>());
        Assert.Equal(0, Marshal.OffsetOf<KvCacheRowWriteArgs>(nameof(KvCacheRowWriteArgs.Keys)).ToInt32());
        Assert.Equal(8, Marshal.OffsetOf<KvCacheRowWriteArgs>(nameof(KvCacheRowWriteArgs.Values)).ToInt32());
        Assert.Equal(16, Marshal.OffsetOf<KvCacheRowWriteArgs>(nameof(KvCacheRowWriteArgs.LayerStride)).ToInt32());
        Assert.Equal(24, Marshal.OffsetOf<KvCacheRowWriteArgs>(nameof(KvCacheRowWriteArgs.SourceRow)).ToInt32());
    }

    [Fact]
    public void StructSizes_AgreeWithStaticAssertsInKernelSource()
    {
        IReadOnlyDictionary<string, string> programs = KernelSources.FromAssembly(typeof(CudaBackend).Assembly).Programs;

        Assert.Contains("sizeof(RowSamplingArgs) == 40", programs["lm_head_epilogue.cu"], StringComparison.Ordinal);
        Assert.Contains("sizeof(TokenScoreResult) == 20", programs["lm_head_epilogue.cu"], StringComparison.Ordinal);
        Assert.Contains("sizeof(LogitBiasRows) == 16", programs["logit_bias.cu"], StringComparison.Ordinal);
        Assert.Contains("sizeof(TokenBias) == 8", programs["logit_bias.cu"], StringComparison.Ordinal);
        Assert.Contains("sizeof(TopLogprobsRow) == 12", programs["top_logprobs.cu"], StringComparison.Ordinal);
        Assert.Contains("sizeof(TokenLogprob) == 8", programs["top_logprobs.cu"], StringComparison.Ordinal);
        Assert.Contains("sizeof(AttentionKeys) == 32", programs["attention.cu"], StringComparison.Ordinal);
        Assert.Contains("sizeof(KvCacheRowWrite) == 32", programs["kv_cache.cu"], StringComparison.Ordinal);
    }

    [Fact]
    public void TokenScoreResult_ToScore_CopiesEveryField()
    {
        var raw = new TokenScoreResult { Token = 5, Probability = 0.5f, LogProbability = -0.69f, Margin = 0.25f, NegativeEntropy = -1.5f };

        Assert.Equal(new TokenScore(5, 0.5f, -0.69f, 0.25f, -1.5f), raw.ToScore());
    }

    [Fact]
    public void RowSamplingArgs_From_CopiesEveryField()
    {
        RowSamplingArgs args = RowSamplingArgs.From(new RowSampling(0.7f, 123, 456, TopP: 0.85, TopK: 40));

        Assert.Equal(0.7f, args.Temperature);
        Assert.Equal(40, args.TopK);
        Assert.Equal(123UL, args.Seed);
        Assert.Equal(456UL, args.Counter);
        Assert.Equal(0.85, args.TopP);
    }

    [Fact]
    public void CommitSelectArgs_MatchesCLayout()
    {
        Assert.Equal(48, Unsafe.SizeOf<CommitSelectArgs>());
        Assert.Equal(48, Marshal.SizeOf<CommitSelectArgs>());
        Assert.Equal(0, Marshal.OffsetOf<CommitSelectArgs>(nameof(CommitSelectArgs.FirstRow)).ToInt32());
        Assert.Equal(4, Marshal.OffsetOf<CommitSelectArgs>(nameof(CommitSelectArgs.Rows)).ToInt32());
        Assert.Equal(8, Marshal.OffsetOf<CommitSelectArgs>(nameof(CommitSelectArgs.Confidence)).ToInt32());
        Assert.Equal(12, Marshal.OffsetOf<CommitSelectArgs>(nameof(CommitSelectArgs.Rule)).ToInt32());
        Assert.Equal(16, Marshal.OffsetOf<CommitSelectArgs>(nameof(CommitSelectArgs.Scheduled)).ToInt32());
        Assert.Equal(20, Marshal.OffsetOf<CommitSelectArgs>(nameof(CommitSelectArgs.Reserved)).ToInt32());
        Assert.Equal(24, Marshal.OffsetOf<CommitSelectArgs>(nameof(CommitSelectArgs.Parameter)).ToInt32());
        Assert.Equal(32, Marshal.OffsetOf<CommitSelectArgs>(nameof(CommitSelectArgs.RandomSeed)).ToInt32());
        Assert.Equal(40, Marshal.OffsetOf<CommitSelectArgs>(nameof(CommitSelectArgs.RandomStep)).ToInt32());
    }

    [Fact]
    public void CommittedTokenResult_MatchesCLayout()
    {
        Assert.Equal(12, Unsafe.SizeOf<CommittedTokenResult>());
        Assert.Equal(0, Marshal.OffsetOf<CommittedTokenResult>(nameof(CommittedTokenResult.Row)).ToInt32());
        Assert.Equal(4, Marshal.OffsetOf<CommittedTokenResult>(nameof(CommittedTokenResult.Token)).ToInt32());
        Assert.Equal(8, Marshal.OffsetOf<CommittedTokenResult>(nameof(CommittedTokenResult.LogProbability)).ToInt32());
    }

    [Fact]
    public void SelectCommitsSource_AssertsTheMirroredSizesAndUsesTheCSharpConstants()
    {
        KernelSources sources = KernelSources.FromAssembly(typeof(CudaBackend).Assembly);
        string source = sources.Programs["select_commits.cu"];

        Assert.Contains("struct TokenScoreResult {", sources.Headers["token_score.cuh"], StringComparison.Ordinal);
        Assert.Contains("#include \"token_score.cuh\"", source, StringComparison.Ordinal);
        Assert.Contains("sizeof(TokenScoreResult) == 20", source, StringComparison.Ordinal);
        Assert.Contains("sizeof(CommitSelectArgs) == 48", source, StringComparison.Ordinal);
        Assert.Contains("sizeof(CommittedTokenResult) == 12", source, StringComparison.Ordinal);
        Assert.Contains($"#define QS_SELECT_MAX_ROWS {CudaBackend.SelectionRowLimit}\n", source, StringComparison.Ordinal);
        foreach ((string name, int value) in new[]
        {
            ("QS_CONFIDENCE_PROBABILITY", CommitSelectArgs.ConfidenceProbability),
            ("QS_CONFIDENCE_MARGIN", CommitSelectArgs.ConfidenceMargin),
            ("QS_CONFIDENCE_NEGATIVE_ENTROPY", CommitSelectArgs.ConfidenceNegativeEntropy),
            ("QS_CONFIDENCE_RANDOM", CommitSelectArgs.ConfidenceRandom),
            ("QS_COMMIT_SCHEDULE", CommitSelectArgs.CommitSchedule),
            ("QS_COMMIT_THRESHOLD", CommitSelectArgs.CommitThreshold),
            ("QS_COMMIT_FACTOR", CommitSelectArgs.CommitFactor),
        })
        {
            Assert.Contains($"#define {name} {value}\n", source, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(RemaskingStrategy.LowConfidence, CommitRule.Schedule, CommitSelectArgs.ConfidenceProbability, CommitSelectArgs.CommitSchedule)]
    [InlineData(RemaskingStrategy.Margin, CommitRule.Threshold, CommitSelectArgs.ConfidenceMargin, CommitSelectArgs.CommitThreshold)]
    [InlineData(RemaskingStrategy.Entropy, CommitRule.Factor, CommitSelectArgs.ConfidenceNegativeEntropy, CommitSelectArgs.CommitFactor)]
    [InlineData(RemaskingStrategy.Random, CommitRule.Schedule, CommitSelectArgs.ConfidenceRandom, CommitSelectArgs.CommitSchedule)]
    public void CommitSelectArgs_From_MapsPolicyAndSaltsTheSeed(RemaskingStrategy remasking, CommitRule rule, int confidence, int kernelRule)
    {
        CommitSelectArgs args = CommitSelectArgs.From(new CommitPolicy(remasking, rule, 0.75, 3, Seed: 99, Step: 12), firstRow: 40, rows: 7);

        Assert.Equal((40, 7, confidence, kernelRule, 3, 0u, 0.75), (args.FirstRow, args.Rows, args.Confidence, args.Rule, args.Scheduled, args.Reserved, args.Parameter));
        Assert.Equal(99UL ^ CommitSelection.RandomRemaskingSalt, args.RandomSeed);
        Assert.Equal(12UL, args.RandomStep);
    }

    [Fact]
    public void CommitSelectArgs_Origin_NotExpressedAndRefused()
    {
        // select_commits.cu has no rule that may commit no row: origin steps are selected on the host, never mapped.
        Assert.False(CommitSelectArgs.Expresses(Ranked(RemaskingStrategy.Origin)));
        Assert.All(Enum.GetValues<RemaskingStrategy>().Where(r => r != RemaskingStrategy.Origin), r => Assert.True(CommitSelectArgs.Expresses(Ranked(r))));

        var ex = Assert.Throws<ArgumentException>(() => CommitSelectArgs.From(new CommitPolicy(RemaskingStrategy.Origin, CommitRule.Schedule, 0, 3, 1, 0, 0.5), 0, 4));

        Assert.Contains("origin", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CommitSelectArgs_AlgTemp_NotExpressedAndRefusedWhereItSamplesPositions()
    {
        // select_commits.cu ranks by confidence only; sampled positions (alg_temp > 0) are selected on the host.
        CommitPolicy sampled = Ranked(RemaskingStrategy.Margin) with { AlgorithmTemperature = 0.3 };

        Assert.False(CommitSelectArgs.Expresses(sampled));
        Assert.True(CommitSelectArgs.Expresses(Ranked(RemaskingStrategy.Random) with { AlgorithmTemperature = 0.3 })); // random ignores alg_temp
        var ex = Assert.Throws<ArgumentException>(() => CommitSelectArgs.From(sampled, 0, 4));
        Assert.Contains("alg_temp", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CommittedTokenResult_ToCommitted_CopiesEveryField()
    {
        var raw = new CommittedTokenResult { Row = 3, Token = 17, LogProbability = -0.25f };

        Assert.Equal(new CommittedToken(3, 17, -0.25f), raw.ToCommitted());
    }

    private static CommitPolicy Ranked(RemaskingStrategy remasking) => new(remasking, CommitRule.Schedule, 0, 3, 1, 0);
}
