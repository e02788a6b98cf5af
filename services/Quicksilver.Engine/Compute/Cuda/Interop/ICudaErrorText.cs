namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>Describes a status code of one native library (injected so error mapping is testable without a GPU).</summary>
internal interface ICudaErrorText
{
    /// <summary>The symbolic name and description of <paramref name="status"/>.</summary>
    (string Name, string Description) Describe(int status);
}
