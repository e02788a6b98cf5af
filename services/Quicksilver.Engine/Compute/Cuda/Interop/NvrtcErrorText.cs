using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>NVRTC status codes described by <c>nvrtcGetErrorString</c>, falling back to <see cref="NvrtcResult"/> names.</summary>
internal sealed class NvrtcErrorText : ICudaErrorText
{
    public static NvrtcErrorText Instance { get; } = new();

    public (string Name, string Description) Describe(int status)
    {
        string name = Enum.IsDefined((NvrtcResult)status) ? ((NvrtcResult)status).ToString() : $"nvrtcResult {status}";
        string? description = null;
        try
        {
            nint text = NvrtcApi.nvrtcGetErrorString(status);
            description = text == 0 ? null : Marshal.PtrToStringUTF8(text);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // NVRTC not loadable: the name is all we have.
        }

        return (name, description ?? "no description available");
    }
}
