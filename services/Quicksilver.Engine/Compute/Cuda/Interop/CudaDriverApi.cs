using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>
/// The CUDA driver API (<c>libcuda.so.1</c>, <c>cuda.h</c>). Names and argument order are the C ones; every
/// function returns a <c>CUresult</c> (0 = success) that callers pass to <see cref="CudaCheck.Driver"/>.
/// <c>CUdeviceptr</c> is <see cref="ulong"/>; contexts, functions and raw streams are <see cref="nint"/>.
/// </summary>
internal static unsafe partial class CudaDriverApi
{
    // ---- initialisation and devices ----
    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuInit(uint flags);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuDriverGetVersion(out int driverVersion);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuDeviceGetCount(out int count);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuDeviceGet(out int device, int ordinal);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuDeviceGetName(byte* name, int len, int dev);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuDeviceGetAttribute(out int pi, CuDeviceAttribute attrib, int dev);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuDeviceTotalMem_v2(out nuint bytes, int dev);

    // ---- contexts ----
    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuDevicePrimaryCtxRetain(out nint pctx, int dev);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuDevicePrimaryCtxRelease_v2(int dev);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuCtxSetCurrent(nint ctx);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuCtxSynchronize();

    // ---- modules and launches ----
    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuModuleLoadData(out CudaModuleHandle module, byte* image);

    [LibraryImport(CudaLibraryNames.Driver, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int cuModuleGetFunction(out nint hfunc, CudaModuleHandle hmod, string name);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuModuleUnload(nint hmod);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuFuncSetAttribute(nint hfunc, CuFunctionAttribute attrib, int value);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuLaunchKernel(
        nint f,
        uint gridDimX,
        uint gridDimY,
        uint gridDimZ,
        uint blockDimX,
        uint blockDimY,
        uint blockDimZ,
        uint sharedMemBytes,
        CudaStreamHandle hStream,
        void** kernelParams,
        void** extra);

    // ---- memory ----
    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuMemAlloc_v2(out ulong dptr, nuint bytesize);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuMemFree_v2(ulong dptr);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuMemAllocHost_v2(out nint pp, nuint bytesize);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuMemFreeHost(nint p);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuMemcpyHtoD_v2(ulong dstDevice, void* srcHost, nuint byteCount);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuMemcpyDtoH_v2(void* dstHost, ulong srcDevice, nuint byteCount);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuMemcpyHtoDAsync_v2(ulong dstDevice, void* srcHost, nuint byteCount, CudaStreamHandle hStream);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuMemcpyDtoHAsync_v2(void* dstHost, ulong srcDevice, nuint byteCount, CudaStreamHandle hStream);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuMemcpyDtoDAsync_v2(ulong dstDevice, ulong srcDevice, nuint byteCount, CudaStreamHandle hStream);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuMemsetD8_v2(ulong dstDevice, byte uc, nuint n);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuMemGetInfo_v2(out nuint free, out nuint total);

    // ---- streams and events ----
    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuStreamCreate(out CudaStreamHandle phStream, uint flags);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuStreamDestroy_v2(nint hStream);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuStreamSynchronize(CudaStreamHandle hStream);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuEventCreate(out CudaEventHandle phEvent, uint flags);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuEventRecord(CudaEventHandle hEvent, CudaStreamHandle hStream);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuEventSynchronize(CudaEventHandle hEvent);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuProfilerStart();

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuProfilerStop();

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuEventElapsedTime(out float pMilliseconds, CudaEventHandle hStart, CudaEventHandle hEnd);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuEventDestroy_v2(nint hEvent);

    // ---- errors ----
    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuGetErrorName(int error, out nint pStr);

    [LibraryImport(CudaLibraryNames.Driver)]
    internal static partial int cuGetErrorString(int error, out nint pStr);
}
