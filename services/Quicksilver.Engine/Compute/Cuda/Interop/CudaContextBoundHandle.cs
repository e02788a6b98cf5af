using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>
/// A native CUDA object that belongs to a context. Release makes that context current first, because a
/// <see cref="SafeHandle"/> may be released on the finalizer thread, where no context is current.
/// </summary>
internal abstract class CudaContextBoundHandle : SafeHandle
{
    protected CudaContextBoundHandle()
        : base(0, ownsHandle: true)
    {
    }

    protected CudaContextBoundHandle(nint value, nint context)
        : base(0, ownsHandle: true)
    {
        SetHandle(value);
        Context = context;
    }

    /// <summary>The owning context (set right after creation).</summary>
    internal nint Context { get; set; }

    public override bool IsInvalid => handle == 0;

    protected sealed override bool ReleaseHandle()
    {
        try
        {
            if (Context != 0)
            {
                _ = CudaDriverApi.cuCtxSetCurrent(Context);
            }

            return Free(handle) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Calls the native free function and returns its status.</summary>
    protected abstract int Free(nint value);
}
