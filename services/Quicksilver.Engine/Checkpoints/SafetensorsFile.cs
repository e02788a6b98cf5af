using System.Collections.ObjectModel;
using System.IO.MemoryMappedFiles;

namespace Quicksilver.Engine.Checkpoints;

/// <summary>
/// One safetensors file, mapped read-only. The header is validated in full before the file is mapped; the
/// tensors then point into the mapping, which stays alive until <see cref="Dispose"/>.
/// </summary>
internal sealed unsafe class SafetensorsFile : ITensorSource
{
    private readonly MemoryMappedFile _mapping;
    private readonly MemoryMappedViewAccessor _view;
    private readonly Dictionary<string, CheckpointTensor> _tensors;
    private int _disposed;

    private SafetensorsFile(
        string path,
        IReadOnlyDictionary<string, string> metadata,
        ReadOnlyCollection<string> names,
        Dictionary<string, CheckpointTensor> tensors,
        MemoryMappedFile mapping,
        MemoryMappedViewAccessor view)
    {
        SourcePath = path;
        Metadata = metadata;
        Names = names;
        _tensors = tensors;
        _mapping = mapping;
        _view = view;
    }

    /// <inheritdoc />
    public string SourcePath { get; }

    /// <summary>The header's <c>__metadata__</c> map (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Tensor names in header order.</summary>
    public IReadOnlyCollection<string> Names { get; }

    /// <summary>Opens, validates and maps <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointException">The file is missing, unreadable, truncated or malformed.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointException(path, null, "the file does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, null, $"cannot open the file: {e.Message}", e);
        }

        MemoryMappedFile? mapping = null;
        MemoryMappedViewAccessor? view = null;
        bool pointerAcquired = false;
        try
        {
            long fileLength = stream.Length;
            SafetensorsHeader header = SafetensorsHeader.Read(path, stream.SafeFileHandle, fileLength);

            // The mapping owns the stream from here on (leaveOpen: false).
            mapping = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            pointerAcquired = true;
            byte* data = start + view.PointerOffset + header.DataOffset;

            var names = new string[header.Entries.Count];
            var tensors = new Dictionary<string, CheckpointTensor>(header.Entries.Count, StringComparer.Ordinal);
            for (int i = 0; i < names.Length; i++)
            {
                SafetensorsHeaderEntry entry = header.Entries[i];
                names[i] = entry.Name;
                tensors.Add(entry.Name, new CheckpointTensor(entry.Name, entry.DType, entry.Shape, data + entry.Begin, entry.ByteLength, path));
            }

            return new SafetensorsFile(path, header.Metadata, Array.AsReadOnly(names), tensors, mapping, view);
        }
        catch (Exception e)
        {
            if (pointerAcquired)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }

            view?.Dispose();
            mapping?.Dispose();
            stream.Dispose();
            if (e is IOException or UnauthorizedAccessException)
            {
                throw new CheckpointException(path, null, $"cannot map the file: {e.Message}", e);
            }

            throw;
        }
    }

    /// <inheritdoc />
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CheckpointTensor? tensor)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _tensors.TryGetValue(name, out tensor);
    }

    /// <summary>Unmaps the file; every <see cref="CheckpointTensor.Data"/> pointer it handed out becomes invalid.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _mapping.Dispose();
    }
}
