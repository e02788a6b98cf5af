using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>
/// <see cref="IComputeBackend"/> on one NVIDIA GPU through the CUDA driver API: bf16 activations and weights,
/// fp32 accumulation, cuBLAS GEMMs and NVRTC-compiled kernels from <c>kernels/</c>. All work is queued on one
/// stream; only <see cref="Download"/>, <see cref="ScoreLogits"/>, <see cref="ScoreAndSelect"/>, <see cref="Upload"/>
/// and the timing helpers wait for it. Per-step host arguments travel through pinned staging with one async copy
/// each, and identical arguments (positions, layouts) are copied once per step. Not thread-safe: one step loop drives
/// one backend.
/// </summary>
public sealed partial class CudaBackend : IComputeBackend
{
    private const int LoadChunkBytes = 32 << 20;

    private readonly CudaBackendOptions options;
    private readonly CudaPrimaryContextHandle context;
    private readonly CudaStreamHandle stream;
    private readonly CudaBlas blas;
    private readonly CudaKernelLibrary kernels;
    private readonly CudaEventHandle timerStart;
    private readonly CudaEventHandle timerStop;
    private readonly HostArgumentSlot tokenSlot;
    private readonly HostArgumentSlot positionSlot;
    private readonly HostArgumentSlot layoutSlot;
    private readonly HostArgumentSlot attentionKeysSlot;
    private readonly HostArgumentSlot kvCacheWriteSlot;
    private readonly HostArgumentSlot rowSlot;
    private readonly HostArgumentSlot samplingSlot;
    private readonly HostArgumentSlot logitBiasSlot;
    private readonly Dictionary<(int HeadDim, double Theta), CudaDeviceMemoryHandle> ropeTables = [];
    private readonly bool useTensorCoreAttention;
    private readonly bool synchronizeEachLaunch;
    private CudaPinnedMemoryHandle? staging;
    private CudaDeviceMemoryHandle? scoreResults;
    private bool disposed;

    [ThreadStatic]
    private static nint currentContext;

    /// <summary>
    /// Opens device <see cref="CudaBackendOptions.DeviceOrdinal"/>, creates the stream and cuBLAS handle and (by
    /// default) compiles every kernel module. Throws <see cref="CudaException"/> naming the step that failed.
    /// </summary>
    public CudaBackend(CudaBackendOptions? options = null)
    {
        this.options = options ?? new CudaBackendOptions();
        if (!CudaProbe.TryDetect(this.options.DeviceOrdinal, out CudaDeviceInfo? device, out string reason))
        {
            throw new CudaException($"No usable CUDA device: {reason}");
        }

        Device = device!;
        synchronizeEachLaunch = this.options.SynchronizeEachLaunch || Environment.GetEnvironmentVariable("QS_CUDA_SYNC") == "1";
        context = CudaPrimaryContextHandle.Retain(Device.Ordinal);
        try
        {
            MakeCurrent();
            CudaCheck.Driver(CudaDriverApi.cuStreamCreate(out stream, 0), nameof(CudaDriverApi.cuStreamCreate));
            stream.Context = Ctx;
            CudaCheck.Driver(CudaDriverApi.cuEventCreate(out timerStart, 0), nameof(CudaDriverApi.cuEventCreate));
            timerStart.Context = Ctx;
            CudaCheck.Driver(CudaDriverApi.cuEventCreate(out timerStop, 0), nameof(CudaDriverApi.cuEventCreate));
            timerStop.Context = Ctx;

            RequireLibrary(CudaLibrary.Nvrtc, "NVRTC (runtime kernel compiler)");
            RequireLibrary(CudaLibrary.CublasLt, "cuBLASLt");
            RequireLibrary(CudaLibrary.Cublas, "cuBLAS");
            NvrtcVersion = NvrtcCompiler.Version();
            blas = new CudaBlas(stream, Ctx);
            tokenSlot = new HostArgumentSlot("tokens", Ctx);
            positionSlot = new HostArgumentSlot("positions", Ctx);
            layoutSlot = new HostArgumentSlot("attention layout", Ctx);
            attentionKeysSlot = new HostArgumentSlot("attention keys", Ctx);
            kvCacheWriteSlot = new HostArgumentSlot("K/V cache rows", Ctx);
            rowSlot = new HostArgumentSlot("row indices", Ctx);
            samplingSlot = new HostArgumentSlot("sampling parameters", Ctx);
            logitBiasSlot = new HostArgumentSlot("logit biases", Ctx);

            string? sourceDir = this.options.KernelSourceDirectory ?? Environment.GetEnvironmentVariable("QS_KERNEL_DIR");
            KernelSources sources = KernelSources.Load(sourceDir);
            var cache = new KernelCache(this.options.KernelCacheDirectory ?? KernelCache.DefaultDirectory(Environment.GetEnvironmentVariable));
            kernels = new CudaKernelLibrary(sources, cache, $"{Device.ComputeCapabilityMajor}{Device.ComputeCapabilityMinor}", NvrtcVersion, Ctx, this.options.Log);
            Libraries = CudaLibraryResolver.Describe();
            Log($"cuda: {Device}; libraries {Libraries}; NVRTC {NvrtcVersion.Major}.{NvrtcVersion.Minor}; cuBLAS {blas.Version}; kernels {sources.Origin}; cache {cache.Directory ?? "off"}");

            useTensorCoreAttention = this.options.AttentionKernel switch
            {
                CudaAttentionKernel.TensorCore => true,
                CudaAttentionKernel.Simple => false,
                _ => Device.ComputeCapabilityMajor >= 8,
            };
            if (useTensorCoreAttention && Device.ComputeCapabilityMajor < 8)
            {
                throw new CudaException($"The tensor-core attention kernel needs compute capability 8.0 or newer; {Device.Name} is {Device.Architecture}.");
            }

            if (this.options.PrecompileKernels)
            {
                kernels.BuildAll();
                foreach ((string file, Exception error) in kernels.Failures)
                {
                    Log($"cuda: kernel module {file} is unavailable: {error.Message}");
                }
            }
        }
        catch
        {
            DisposeResources();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name => "cuda";

    /// <inheritdoc />
    public string Description => $"{Device}; NVRTC {NvrtcVersion.Major}.{NvrtcVersion.Minor}; cuBLAS {blas.Version}; attention {AttentionKernelName}";

    /// <summary>The device in use.</summary>
    public CudaDeviceInfo Device { get; }

    /// <summary>The NVRTC version compiling the kernels.</summary>
    public (int Major, int Minor) NvrtcVersion { get; }

    /// <summary>The cuBLAS version (e.g. 130000).</summary>
    public int CublasVersion => blas.Version;

    /// <summary>Which attention kernel runs: <c>tensor-core</c> or <c>simple</c>.</summary>
    public string AttentionKernelName => useTensorCoreAttention ? "tensor-core" : "simple";

    /// <summary>Where each CUDA library was loaded from (or what was tried), for logs.</summary>
    public string Libraries { get; private set; } = string.Empty;

    /// <summary>Kernel modules that failed to build (file → error message); empty when all built.</summary>
    public IReadOnlyDictionary<string, string> KernelBuildFailures =>
        kernels.Failures.ToDictionary(f => f.Key, f => f.Value.Message, StringComparer.Ordinal);

    private nint Ctx => context.DangerousGetHandle();

    /// <inheritdoc />
    public IWeight LoadWeight(CheckpointTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        MakeCurrent();
        (int rows, int columns) = tensor.Shape.Count switch
        {
            1 => (1, checked((int)tensor.Shape[0])),
            2 => (checked((int)tensor.Shape[0]), checked((int)tensor.Shape[1])),
            _ => throw new ArgumentException($"Tensor '{tensor.Name}' in {tensor.FilePath} has rank {tensor.Shape.Count}; the CUDA backend loads 1-D and 2-D tensors.", nameof(tensor)),
        };
        CudaElementType type = tensor.Shape.Count == 1 ? CudaElementType.Float32 : CudaElementType.BFloat16;
        int elementSize = type == CudaElementType.BFloat16 ? 2 : 4;
        long count = (long)rows * columns;
        CudaDeviceMemoryHandle memory = CudaDeviceMemoryHandle.Allocate(count * elementSize, Ctx);
        try
        {
            UploadConverted(tensor, memory.Pointer, count, type);
        }
        catch
        {
            memory.Dispose();
            throw;
        }

        return new CudaWeight(tensor.Name, memory, rows, columns, type);
    }

    /// <inheritdoc />
    public IDeviceBuffer Allocate(int capacity, int columns, BufferKind kind = BufferKind.Activation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        MakeCurrent();
        CudaElementType type = kind == BufferKind.Logits ? CudaElementType.Float32 : CudaElementType.BFloat16;
        long bytes = (long)capacity * columns * (type == CudaElementType.BFloat16 ? 2 : 4);
        // Rounded up to 16 bytes so vector kernels and fills never run past the allocation.
        return new CudaBuffer(CudaDeviceMemoryHandle.Allocate((bytes + 15) / 16 * 16, Ctx), capacity, columns, type);
    }

    /// <inheritdoc />
    public unsafe void Upload(ReadOnlySpan<float> source, IDeviceBuffer destination)
    {
        CudaBuffer dst = AsBuffer(destination, nameof(destination));
        if (source.Length % dst.Columns != 0)
        {
            throw new ArgumentException($"Upload of {source.Length} values into a buffer of {dst.Columns} columns: not a whole number of rows.", nameof(source));
        }

        int rows = source.Length / dst.Columns;
        if (rows > dst.Capacity)
        {
            throw new ArgumentException($"Upload of {rows} rows into a buffer of capacity {dst.Capacity}.", nameof(source));
        }

        MakeCurrent();
        for (long done = 0; done < source.Length;)
        {
            int chunk = (int)Math.Min(source.Length - done, LoadChunkBytes / 4);
            byte* host = Staging(LoadChunkBytes);
            ReadOnlySpan<float> part = source.Slice((int)done, chunk);
            if (dst.ElementType == CudaElementType.BFloat16)
            {
                var target = new Span<ushort>(host, chunk);
                for (int i = 0; i < chunk; i++)
                {
                    target[i] = BFloat16.FromSingle(part[i]);
                }
            }
            else
            {
                part.CopyTo(new Span<float>(host, chunk));
            }

            CopyToDevice(dst.Pointer + (ulong)(done * dst.ElementSize), host, (long)chunk * dst.ElementSize);
            done += chunk;
        }

        dst.Rows = rows;
    }

    /// <inheritdoc />
    public void Download(IDeviceBuffer source, Span<float> destination)
    {
        CudaBuffer src = AsBuffer(source, nameof(source));
        long count = src.ElementCount;
        if (destination.Length < count)
        {
            throw new ArgumentException($"Download of {src.Rows} x {src.Columns} values into a span of {destination.Length}.", nameof(destination));
        }

        MakeCurrent();
        DownloadElements(src.Pointer, count, src.ElementType, destination);
    }

    /// <summary>Waits until all queued work is done, and surfaces any asynchronous kernel error.</summary>
    public void Synchronize()
    {
        MakeCurrent();
        CudaCheck.Driver(CudaDriverApi.cuStreamSynchronize(stream), nameof(CudaDriverApi.cuStreamSynchronize));
    }

    /// <summary>Free and total device memory in bytes (<c>cuMemGetInfo</c>).</summary>
    public (long Free, long Total) MemoryInfo()
    {
        MakeCurrent();
        CudaCheck.Driver(CudaDriverApi.cuMemGetInfo_v2(out nuint free, out nuint total), nameof(CudaDriverApi.cuMemGetInfo_v2));
        return ((long)free, (long)total);
    }

    /// <summary>Waits for the device, then releases the stream, cuBLAS, the kernel modules and the context.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        try
        {
            MakeCurrent();
            _ = CudaDriverApi.cuStreamSynchronize(stream);
        }
        catch (CudaException)
        {
            // A sticky error from an earlier kernel: release what we can.
        }

        disposed = true;
        DisposeResources();
    }

    private void DisposeResources()
    {
        foreach (CudaDeviceMemoryHandle table in ropeTables.Values)
        {
            table.Dispose();
        }

        ropeTables.Clear();
        staging?.Dispose();
        scoreResults?.Dispose();
        attentionPartials?.Dispose();
        DisposePointerTables();
        DisposeSelection();
        DisposeTopLogprobs();
        tokenSlot?.Dispose();
        positionSlot?.Dispose();
        layoutSlot?.Dispose();
        attentionKeysSlot?.Dispose();
        kvCacheWriteSlot?.Dispose();
        rowSlot?.Dispose();
        samplingSlot?.Dispose();
        logitBiasSlot?.Dispose();
        kernels?.Dispose();
        blas?.Dispose();
        timerStart?.Dispose();
        timerStop?.Dispose();
        stream?.Dispose();
        if (currentContext == Ctx)
        {
            currentContext = 0;
        }

        context.Dispose();
    }

    private void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        nint ctx = Ctx;
        if (currentContext != ctx)
        {
            CudaCheck.Driver(CudaDriverApi.cuCtxSetCurrent(ctx), nameof(CudaDriverApi.cuCtxSetCurrent));
            currentContext = ctx;
        }
    }

    private void Log(string message) => options.Log?.Invoke(message);

    private static void RequireLibrary(CudaLibrary library, string what)
    {
        CudaLibraryResolver.LoadOutcome outcome = CudaLibraryResolver.Load(library);
        if (!outcome.Loaded)
        {
            throw new CudaException(
                $"{what} could not be loaded (loaded so far: {CudaLibraryResolver.Describe()}); tried {string.Join(", ", outcome.Tried.Take(8))}{(outcome.Tried.Count > 8 ? $" and {outcome.Tried.Count - 8} more" : string.Empty)}. " +
                "Install the CUDA toolkit libraries or the nvidia-*-cu13/cu12 pip wheels, or name their folder in QS_CUDA_LIB_DIRS.");
        }
    }

    private static CudaBuffer AsBuffer(IDeviceBuffer buffer, string parameter)
    {
        ArgumentNullException.ThrowIfNull(buffer, parameter);
        return buffer as CudaBuffer
            ?? throw new ArgumentException($"{parameter} is a {buffer.GetType().Name}, not a buffer of the CUDA backend.", parameter);
    }

    private static CudaWeight AsWeight(IWeight weight, string parameter)
    {
        ArgumentNullException.ThrowIfNull(weight, parameter);
        return weight as CudaWeight
            ?? throw new ArgumentException($"{parameter} is a {weight.GetType().Name}, not a weight of the CUDA backend.", parameter);
    }

    /// <summary>Device memory of at least <paramref name="bytes"/> (4 KiB at least) in <paramref name="buffer"/>, grown (its contents dropped) when too small.</summary>
    private CudaDeviceMemoryHandle EnsureDeviceBytes(ref CudaDeviceMemoryHandle? buffer, long bytes)
    {
        if (buffer is null || buffer.Bytes < bytes)
        {
            buffer?.Dispose();
            buffer = CudaDeviceMemoryHandle.Allocate(Math.Max(bytes, 4096), Ctx);
        }

        return buffer;
    }

    // Pinned staging for uploads and downloads, grown on demand. Callers synchronise before reusing it.
    private unsafe byte* Staging(long bytes)
    {
        if (staging is null || staging.Bytes < bytes)
        {
            staging?.Dispose();
            staging = CudaPinnedMemoryHandle.Allocate(Math.Max(bytes, 1 << 20), Ctx);
        }

        return staging.Pointer;
    }

    private unsafe void CopyToDevice(ulong destination, byte* host, long bytes)
    {
        CudaCheck.Driver(CudaDriverApi.cuMemcpyHtoDAsync_v2(destination, host, (nuint)bytes, stream), nameof(CudaDriverApi.cuMemcpyHtoDAsync_v2));
        CudaCheck.Driver(CudaDriverApi.cuStreamSynchronize(stream), nameof(CudaDriverApi.cuStreamSynchronize), "after a host-to-device copy");
    }

    private unsafe void DownloadElements(ulong source, long count, CudaElementType type, Span<float> destination)
    {
        int elementSize = type == CudaElementType.BFloat16 ? 2 : 4;
        long perChunk = LoadChunkBytes / elementSize;
        for (long done = 0; done < count;)
        {
            int chunk = (int)Math.Min(count - done, perChunk);
            byte* host = Staging(LoadChunkBytes);
            CudaCheck.Driver(
                CudaDriverApi.cuMemcpyDtoHAsync_v2(host, source + (ulong)(done * elementSize), (nuint)((long)chunk * elementSize), stream),
                nameof(CudaDriverApi.cuMemcpyDtoHAsync_v2));
            CudaCheck.Driver(CudaDriverApi.cuStreamSynchronize(stream), nameof(CudaDriverApi.cuStreamSynchronize), "waiting for a device-to-host copy (a kernel queued earlier may have failed)");
            Span<float> target = destination.Slice((int)done, chunk);
            if (type == CudaElementType.BFloat16)
            {
                var bits = new ReadOnlySpan<ushort>(host, chunk);
                for (int i = 0; i < chunk; i++)
                {
                    target[i] = BFloat16.ToSingle(bits[i]);
                }
            }
            else
            {
                new ReadOnlySpan<float>(host, chunk).CopyTo(target);
            }

            done += chunk;
        }
    }

    private unsafe void UploadConverted(CheckpointTensor tensor, ulong destination, long count, CudaElementType type)
    {
        int outSize = type == CudaElementType.BFloat16 ? 2 : 4;
        int inSize = tensor.DType.ElementSize();
        if (tensor.ElementCount != count)
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' in {tensor.FilePath} holds {tensor.ElementCount} elements; its shape needs {count}.", nameof(tensor));
        }

        long perChunk = LoadChunkBytes / 4;
        for (long done = 0; done < count;)
        {
            int chunk = (int)Math.Min(count - done, perChunk);
            byte* host = Staging(LoadChunkBytes);
            byte* src = tensor.Data + (done * inSize);
            if (tensor.DType == TensorDType.BF16 && type == CudaElementType.BFloat16)
            {
                Buffer.MemoryCopy(src, host, LoadChunkBytes, (long)chunk * 2);
            }
            else if (tensor.DType == TensorDType.F32 && type == CudaElementType.Float32)
            {
                Buffer.MemoryCopy(src, host, LoadChunkBytes, (long)chunk * 4);
            }
            else
            {
                for (int i = 0; i < chunk; i++)
                {
                    float value = tensor.DType switch
                    {
                        TensorDType.F32 => ((float*)src)[i],
                        TensorDType.BF16 => BFloat16.ToSingle(((ushort*)src)[i]),
                        TensorDType.F16 => (float)BitConverter.UInt16BitsToHalf(((ushort*)src)[i]),
                        _ => throw new ArgumentException($"Tensor '{tensor.Name}' has unsupported dtype {tensor.DType}.", nameof(tensor)),
                    };
                    if (type == CudaElementType.BFloat16)
                    {
                        ((ushort*)host)[i] = BFloat16.FromSingle(value);
                    }
                    else
                    {
                        ((float*)host)[i] = value;
                    }
                }
            }

            CopyToDevice(destination + (ulong)(done * outSize), host, (long)chunk * outSize);
            done += chunk;
        }
    }
}
