using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

/// <summary>The C# mirrors of structs in kernels/*.cu must match their C layout (static_asserts there).</summary>
public sealed class MirroredStructTests
{
    [Fact]
    public void RowSamplingArgs_MatchesCLayout()
    {
        Assert.Equal(24, Unsafe.SizeOf<RowSamplingArgs>());
        Assert.Equal(24, Marshal.SizeOf<RowSamplingArgs>());
        Assert.Equal(0, Marshal.OffsetOf<RowSamplingArgs>(nameof(RowSamplingArgs.Temperature)).ToInt32());
        Assert.Equal(4, Marshal.OffsetOf<RowSamplingArgs>(nameof(RowSamplingArgs.Reserved)).ToInt32());
        Assert.Equal(8, Marshal.OffsetOf<RowSamplingArgs>(nameof(RowSamplingArgs.Seed)).ToInt32());
        Assert.Equal(16, Marshal.OffsetOf<RowSamplingArgs>(nameof(RowSamplingArgs.Counter)).ToInt32());
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

        Assert.Contains("sizeof(RowSamplingArgs) == 24", programs["lm_head_epilogue.cu"], StringComparison.Ordinal);
        Assert.Contains("sizeof(TokenScoreResult) == 20", programs["lm_head_epilogue.cu"], StringComparison.Ordinal);
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
    public void RowSamplingArgs_From_CopiesTemperatureSeedAndCounter()
    {
        RowSamplingArgs args = RowSamplingArgs.From(new RowSampling(0.7f, 123, 456));

        Assert.Equal(0.7f, args.Temperature);
        Assert.Equal(0u, args.Reserved);
        Assert.Equal(123UL, args.Seed);
        Assert.Equal(456UL, args.Counter);
    }
}
