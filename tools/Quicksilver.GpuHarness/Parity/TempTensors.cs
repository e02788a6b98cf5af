using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>
/// Checkpoint tensors for the parity checks: written as real safetensors files in a temporary folder and opened
/// with the engine's reader, so both backends load weights exactly as a model would (matrices BF16, vectors F32).
/// </summary>
internal sealed class TempTensors : IDisposable
{
    private readonly List<ITensorSource> sources = [];
    private int files;

    public TempTensors()
    {
        Folder = Path.Combine(Path.GetTempPath(), "qs-gpu-parity-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public CheckpointTensor Create(string name, float[] data, params long[] shape)
    {
        TensorDType dtype = shape.Length == 1 ? TensorDType.F32 : TensorDType.BF16;
        byte[] bytes = dtype == TensorDType.F32
            ? MemoryMarshal.AsBytes(data.AsSpan()).ToArray()
            : MemoryMarshal.AsBytes(data.Select(BFloat16.FromSingle).ToArray().AsSpan()).ToArray();
        string path = Path.Combine(Folder, $"t{files++}.safetensors");
        SafetensorsWriter.Write(path, [new SafetensorsWriter.Entry(name, dtype, shape, bytes)]);
        ITensorSource source = CheckpointLoader.OpenFile(path);
        sources.Add(source);
        return source.TryGet(name, out CheckpointTensor? tensor) ? tensor : throw new InvalidOperationException($"tensor {name} not found after writing it");
    }

    public void Dispose()
    {
        foreach (ITensorSource source in sources)
        {
            source.Dispose();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}
