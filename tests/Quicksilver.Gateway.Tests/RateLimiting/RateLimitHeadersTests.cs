using Quicksilver.Gateway.RateLimiting;

namespace Quicksilver.Gateway.Tests.RateLimiting;

/// <summary>The reset durations of the rate-limit headers, written as OpenAI writes them (Go's duration format).</summary>
public sealed class RateLimitHeadersTests
{
    [Theory]
    [InlineData(0, "0ms")]
    [InlineData(19.2, "20ms")]
    [InlineData(999, "999ms")]
    [InlineData(999.4, "1s")] // rounded up to a whole millisecond, then carried
    [InlineData(59_999.6, "1m0s")]
    [InlineData(1000, "1s")]
    [InlineData(1500, "1.5s")]
    [InlineData(59_999, "59.999s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(360_000, "6m0s")]
    [InlineData(74_250, "1m14.25s")]
    public void Duration_IsWrittenAsOpenAIWritesIt(double milliseconds, string written)
    {
        Assert.Equal(written, RateLimitHeaders.Duration(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
