namespace Quicksilver.Engine.Compute;

/// <summary>The backend <see cref="ComputeBackendFactory"/> chose and why, as one log line.</summary>
/// <param name="Backend">The backend, owned by the caller.</param>
/// <param name="Reason">Which backend and why, e.g. <c>cuda: NVIDIA H200 (sm_90, …) (auto: CUDA device found)</c>.</param>
public sealed record ComputeBackendSelection(IComputeBackend Backend, string Reason);
