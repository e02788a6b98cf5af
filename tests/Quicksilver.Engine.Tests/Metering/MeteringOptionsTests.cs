using Quicksilver.Engine.Metering;

namespace Quicksilver.Engine.Tests.Metering;

public sealed class MeteringOptionsTests
{
    [Theory]
    [InlineData(3600, 2.5, 2.5)]
    [InlineData(1.8, 2.0, 0.001)]
    [InlineData(0.25, 3.6, 0.00025)]
    [InlineData(10, 0, 0)]
    public void CostUsd_SecondsAtAnHourlyPrice_IsSecondsTimesPriceOver3600(double seconds, double hourPrice, double expected)
    {
        var options = new MeteringOptions { GpuHourPriceUsd = hourPrice };

        Assert.Equal(expected, options.CostUsd(seconds), 15);
    }

    [Fact]
    public void GpuHourPriceUsd_Unconfigured_IsZeroSoNoDollarsAreInvented()
    {
        Assert.Equal(0, new MeteringOptions().CostUsd(123.4));
    }
}
