using Quicksilver.Engine.Compute;

namespace Quicksilver.Engine.Models;

/// <summary>The activation buffers of one forward pass, grown when a larger batch arrives and reused otherwise.</summary>
internal sealed class ForwardWorkspace : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly ModelConfig _config;
    private readonly List<IDeviceBuffer> _tokenBuffers = [];
    private readonly List<IDeviceBuffer> _scoreBuffers = [];

    public ForwardWorkspace(IComputeBackend backend, ModelConfig config)
    {
        _backend = backend;
        _config = config;
    }

    public int TokenCapacity { get; private set; }

    public int ScoreCapacity { get; private set; }

    public IDeviceBuffer Hidden { get; private set; } = null!;

    public IDeviceBuffer Normed { get; private set; } = null!;

    public IDeviceBuffer Queries { get; private set; } = null!;

    public IDeviceBuffer Keys { get; private set; } = null!;

    public IDeviceBuffer Values { get; private set; } = null!;

    public IDeviceBuffer Attended { get; private set; } = null!;

    public IDeviceBuffer Projected { get; private set; } = null!;

    public IDeviceBuffer Gate { get; private set; } = null!;

    public IDeviceBuffer Up { get; private set; } = null!;

    public IDeviceBuffer Activated { get; private set; } = null!;

    public IDeviceBuffer Gathered { get; private set; } = null!;

    public IDeviceBuffer GatheredNormed { get; private set; } = null!;

    public IDeviceBuffer Logits { get; private set; } = null!;

    public void EnsureCapacity(int tokens, int scored)
    {
        if (tokens > TokenCapacity)
        {
            Release(_tokenBuffers);
            int capacity = Grow(TokenCapacity, tokens);
            int d = _config.HiddenSize, q = _config.QueryWidth, kv = _config.KeyValueHeadCount * _config.HeadDim, ff = _config.IntermediateSize;
            Hidden = Track(_tokenBuffers, capacity, d);
            Normed = Track(_tokenBuffers, capacity, d);
            Queries = Track(_tokenBuffers, capacity, q);
            Keys = Track(_tokenBuffers, capacity, kv);
            Values = Track(_tokenBuffers, capacity, kv);
            Attended = Track(_tokenBuffers, capacity, q);
            Projected = Track(_tokenBuffers, capacity, d);
            Gate = Track(_tokenBuffers, capacity, ff);
            Up = Track(_tokenBuffers, capacity, ff);
            Activated = Track(_tokenBuffers, capacity, ff);
            TokenCapacity = capacity;
        }

        if (scored > ScoreCapacity)
        {
            Release(_scoreBuffers);
            int capacity = Grow(ScoreCapacity, scored);
            Gathered = Track(_scoreBuffers, capacity, _config.HiddenSize);
            GatheredNormed = Track(_scoreBuffers, capacity, _config.HiddenSize);
            Logits = Track(_scoreBuffers, capacity, _config.VocabSize, BufferKind.Logits);
            ScoreCapacity = capacity;
        }
    }

    public void Dispose()
    {
        Release(_tokenBuffers);
        Release(_scoreBuffers);
    }

    private static int Grow(int current, int needed) => Math.Max(needed, Math.Max(64, current * 2));

    private static void Release(List<IDeviceBuffer> buffers)
    {
        foreach (IDeviceBuffer buffer in buffers)
        {
            buffer.Dispose();
        }

        buffers.Clear();
    }

    private IDeviceBuffer Track(List<IDeviceBuffer> owner, int capacity, int columns, BufferKind kind = BufferKind.Activation)
    {
        IDeviceBuffer buffer = _backend.Allocate(capacity, columns, kind);
        owner.Add(buffer);
        return buffer;
    }
}
