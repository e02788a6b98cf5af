namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>The outcome of compiling one kernel program with NVRTC.</summary>
/// <param name="File">The program, e.g. <c>attention.cu</c>.</param>
/// <param name="Architecture">The target, e.g. <c>sm_90</c>.</param>
/// <param name="ImageBytes">Size of the CUBIN produced (0 on failure).</param>
/// <param name="Error">Why it failed (with the compiler log), or null.</param>
/// <param name="Log">The NVRTC log of a successful compilation (warnings), possibly empty.</param>
/// <param name="CachedAs">The file name the image was stored under in the cache, or null when not cached.</param>
public sealed record KernelBuildResult(string File, string Architecture, int ImageBytes, string? Error, string Log, string? CachedAs);
