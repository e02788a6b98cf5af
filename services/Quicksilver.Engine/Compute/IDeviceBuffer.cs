namespace Quicksilver.Engine.Compute;

/// <summary>
/// A row-major matrix of activations resident on a backend's device (fp32 on the CPU backend,
/// bf16 or fp32 on CUDA). Buffers are sized once for the largest step and reused: <see cref="Rows"/>
/// is the number of rows in use for the current step and may be set lower than <see cref="Capacity"/>.
/// </summary>
public interface IDeviceBuffer : IDisposable
{
    /// <summary>Rows in use.</summary>
    int Rows { get; set; }

    /// <summary>Elements per row.</summary>
    int Columns { get; }

    /// <summary>Rows allocated.</summary>
    int Capacity { get; }
}
