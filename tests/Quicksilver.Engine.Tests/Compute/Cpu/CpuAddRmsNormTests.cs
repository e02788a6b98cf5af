using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;

namespace Quicksilver.Engine.Tests.Compute.Cpu;

/// <summary>
/// <see cref="CpuBackend.AddRmsNorm"/>, the residual add fused with the next norm: the same values, bit for bit, as
/// <see cref="CpuBackend.Add"/> then <see cref="CpuBackend.RmsNorm"/>, and shape errors named.
/// </summary>
public sealed class CpuAddRmsNormTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("quicksilver-addnorm-");
    private readonly CpuBackend _backend = new(new CpuBackendOptions { Threads = 2 });
    private readonly List<ITensorSource> _sources = [];

    public void Dispose()
    {
        _backend.Dispose();
        _sources.ForEach(source => source.Dispose());
        _folder.Delete(recursive: true);
    }

    [Theory]
    [InlineData(7, 96)]
    [InlineData(3, 37)]
    public void AddRmsNorm_EqualsAddThenRmsNormExactly(int rows, int columns)
    {
        var random = new Random(rows * columns);
        float[] hidden = Values(random, rows * columns, 4f), addend = Values(random, rows * columns, 1f);
        using IWeight norm = _backend.LoadWeight(Vector(Values(random, columns, 1f)));

        using IDeviceBuffer fusedSum = Upload(hidden, columns), fusedAddend = Upload(addend, columns), fusedNormed = _backend.Allocate(rows, columns);
        _backend.AddRmsNorm(fusedSum, fusedAddend, norm, 1e-5f, fusedNormed);

        using IDeviceBuffer sum = Upload(hidden, columns), plainAddend = Upload(addend, columns), normed = _backend.Allocate(rows, columns);
        _backend.Add(sum, plainAddend);
        _backend.RmsNorm(sum, norm, 1e-5f, normed);

        Assert.Equal(Download(sum), Download(fusedSum));
        Assert.Equal(Download(normed), Download(fusedNormed));
        Assert.Equal(rows, fusedNormed.Rows);
    }

    [Fact]
    public void AddRmsNorm_AddendOfAnotherShape_Throws()
    {
        using IWeight norm = _backend.LoadWeight(Vector([1f, 1f, 1f, 1f]));
        using IDeviceBuffer hidden = Upload(new float[8], 4), addend = Upload(new float[6], 3), output = _backend.Allocate(2, 4);

        ArgumentException error = Assert.Throws<ArgumentException>(() => _backend.AddRmsNorm(hidden, addend, norm, 1e-5f, output));
        Assert.Contains("[2 x 4]", error.Message, StringComparison.Ordinal);
    }

    private static float[] Values(Random random, int count, float scale) =>
        [.. Enumerable.Range(0, count).Select(_ => ((float)random.NextDouble() * 2 - 1) * scale)];

    private IDeviceBuffer Upload(float[] values, int columns)
    {
        IDeviceBuffer buffer = _backend.Allocate(values.Length / columns, columns);
        _backend.Upload(values, buffer);
        return buffer;
    }

    private float[] Download(IDeviceBuffer buffer)
    {
        var values = new float[buffer.Rows * buffer.Columns];
        _backend.Download(buffer, values);
        return values;
    }

    private CheckpointTensor Vector(float[] weight)
    {
        string path = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.safetensors");
        SafetensorsWriter.Write(path, [new SafetensorsWriter.Entry("norm", TensorDType.F32, [weight.Length], MemoryMarshal.AsBytes(weight.AsSpan()).ToArray())]);
        ITensorSource source = CheckpointLoader.OpenFile(path);
        _sources.Add(source);
        source.TryGet("norm", out CheckpointTensor? tensor);
        return tensor!;
    }
}
