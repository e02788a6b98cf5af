namespace Quicksilver.Engine.Metering;

/// <summary>
/// The price of the pod's device time. The server binds it from <c>Quicksilver:Metering</c> (environment variable
/// <c>Quicksilver__Metering__GpuHourPriceUsd</c>) and validates it at start. The engine's cost meter and the
/// <c>cost_usd</c> of every response both go through <see cref="CostUsd"/>, so they agree.
/// </summary>
public sealed record MeteringOptions
{
    /// <summary>
    /// What one hour of the device costs, in US dollars: a finite number ≥ 0. Default: 0, so that a pod nobody priced
    /// reports measured GPU seconds but no invented dollars.
    /// </summary>
    public double GpuHourPriceUsd { get; init; }

    /// <summary>The cost of <paramref name="gpuSeconds"/> of device time: seconds × <see cref="GpuHourPriceUsd"/> / 3600.</summary>
    public double CostUsd(double gpuSeconds) => gpuSeconds * GpuHourPriceUsd / 3600;
}
