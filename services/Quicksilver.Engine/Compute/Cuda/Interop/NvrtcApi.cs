using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>
/// NVRTC, the runtime CUDA C++ compiler (<c>libnvrtc.so.{13,12}</c>, <c>nvrtc.h</c>). Strings cross as
/// null-terminated UTF-8 (<see cref="Utf8StringArray"/> builds the <c>const char**</c> arrays).
/// </summary>
internal static unsafe partial class NvrtcApi
{
    [LibraryImport(CudaLibraryNames.Nvrtc)]
    internal static partial int nvrtcVersion(out int major, out int minor);

    [LibraryImport(CudaLibraryNames.Nvrtc)]
    internal static partial int nvrtcCreateProgram(
        out NvrtcProgramHandle prog,
        byte* src,
        byte* name,
        int numHeaders,
        byte** headers,
        byte** includeNames);

    [LibraryImport(CudaLibraryNames.Nvrtc)]
    internal static partial int nvrtcCompileProgram(NvrtcProgramHandle prog, int numOptions, byte** options);

    [LibraryImport(CudaLibraryNames.Nvrtc)]
    internal static partial int nvrtcGetProgramLogSize(NvrtcProgramHandle prog, out nuint logSizeRet);

    [LibraryImport(CudaLibraryNames.Nvrtc)]
    internal static partial int nvrtcGetProgramLog(NvrtcProgramHandle prog, byte* log);

    [LibraryImport(CudaLibraryNames.Nvrtc)]
    internal static partial int nvrtcGetPTXSize(NvrtcProgramHandle prog, out nuint ptxSizeRet);

    [LibraryImport(CudaLibraryNames.Nvrtc)]
    internal static partial int nvrtcGetPTX(NvrtcProgramHandle prog, byte* ptx);

    [LibraryImport(CudaLibraryNames.Nvrtc)]
    internal static partial int nvrtcGetCUBINSize(NvrtcProgramHandle prog, out nuint cubinSizeRet);

    [LibraryImport(CudaLibraryNames.Nvrtc)]
    internal static partial int nvrtcGetCUBIN(NvrtcProgramHandle prog, byte* cubin);

    [LibraryImport(CudaLibraryNames.Nvrtc)]
    internal static partial int nvrtcDestroyProgram(ref nint prog);

    [LibraryImport(CudaLibraryNames.Nvrtc)]
    internal static partial nint nvrtcGetErrorString(int result);
}
