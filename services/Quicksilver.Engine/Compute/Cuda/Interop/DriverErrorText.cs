using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>
/// Driver API status codes described by <c>cuGetErrorName</c>/<c>cuGetErrorString</c>, falling back to
/// <see cref="CuResult"/> names when the driver cannot be asked (not loaded, or the code is unknown to it).
/// </summary>
internal sealed class DriverErrorText : ICudaErrorText
{
    public static DriverErrorText Instance { get; } = new();

    public (string Name, string Description) Describe(int status)
    {
        string? name = null;
        string? description = null;
        try
        {
            if (CudaDriverApi.cuGetErrorName(status, out nint namePtr) == 0 && namePtr != 0)
            {
                name = Marshal.PtrToStringUTF8(namePtr);
            }

            if (CudaDriverApi.cuGetErrorString(status, out nint textPtr) == 0 && textPtr != 0)
            {
                description = Marshal.PtrToStringUTF8(textPtr);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Driver not loadable: describe from the table.
        }

        return (name ?? FallbackName(status), description ?? "no description available");
    }

    internal static string FallbackName(int status) =>
        Enum.IsDefined((CuResult)status) ? ((CuResult)status).ToString() : $"CUresult {status}";
}
