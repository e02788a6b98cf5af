using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>
/// Finds out, without creating a context, whether a CUDA device can be used: the driver library loads,
/// <c>cuInit</c> succeeds and the device exists. The reason says which step failed.
/// </summary>
public static unsafe class CudaProbe
{
    /// <summary>Probes device <paramref name="ordinal"/>; on failure <paramref name="reason"/> says why.</summary>
    public static bool TryDetect(int ordinal, out CudaDeviceInfo? info, out string reason)
    {
        info = null;
        try
        {
            CudaLibraryResolver.EnsureRegistered();
            CudaLibraryResolver.LoadOutcome driver = CudaLibraryResolver.Load(CudaLibrary.Driver);
            if (!driver.Loaded)
            {
                reason = $"libcuda.so.1 could not be loaded (the NVIDIA driver is not installed or not visible; tried {string.Join(", ", driver.Tried.Take(6))}, …)";
                return false;
            }

            int status = CudaDriverApi.cuInit(0);
            if (status != 0)
            {
                reason = CudaCheck.Error(status, nameof(CudaDriverApi.cuInit), DriverErrorText.Instance).Message;
                return false;
            }

            CudaCheck.Driver(CudaDriverApi.cuDriverGetVersion(out int driverVersion), nameof(CudaDriverApi.cuDriverGetVersion));
            CudaLibraryResolver.SetDriverVersion(driverVersion);
            CudaCheck.Driver(CudaDriverApi.cuDeviceGetCount(out int count), nameof(CudaDriverApi.cuDeviceGetCount));
            if (count == 0)
            {
                reason = "cuDeviceGetCount returned 0 devices";
                return false;
            }

            if (ordinal < 0 || ordinal >= count)
            {
                reason = $"device {ordinal} requested but only {count} CUDA device(s) are visible";
                return false;
            }

            info = Query(ordinal, driverVersion);
            reason = $"found {info}";
            return true;
        }
        catch (CudaException e)
        {
            reason = e.Message;
            return false;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            reason = $"the CUDA driver library could not be used: {e.Message}";
            return false;
        }
    }

    /// <summary>Reads a device's name and attributes (the driver must be initialised).</summary>
    internal static CudaDeviceInfo Query(int ordinal, int driverVersion)
    {
        CudaCheck.Driver(CudaDriverApi.cuDeviceGet(out int device, ordinal), nameof(CudaDriverApi.cuDeviceGet));
        byte* name = stackalloc byte[256];
        CudaCheck.Driver(CudaDriverApi.cuDeviceGetName(name, 256, device), nameof(CudaDriverApi.cuDeviceGetName));
        CudaCheck.Driver(CudaDriverApi.cuDeviceTotalMem_v2(out nuint total, device), nameof(CudaDriverApi.cuDeviceTotalMem_v2));
        return new CudaDeviceInfo(
            ordinal,
            new string((sbyte*)name),
            Attribute(CuDeviceAttribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
            Attribute(CuDeviceAttribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
            Attribute(CuDeviceAttribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device),
            (long)total,
            Attribute(CuDeviceAttribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, device),
            driverVersion);
    }

    private static int Attribute(CuDeviceAttribute attribute, int device)
    {
        CudaCheck.Driver(CudaDriverApi.cuDeviceGetAttribute(out int value, attribute, device), nameof(CudaDriverApi.cuDeviceGetAttribute), attribute.ToString());
        return value;
    }
}
