using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Tests.Checkpoints;

/// <summary>Copies a mapped tensor's bytes out, for comparisons.</summary>
internal static class TensorBytes
{
    public static unsafe byte[] Of(CheckpointTensor tensor) =>
        new ReadOnlySpan<byte>(tensor.Data, checked((int)tensor.ByteLength)).ToArray();
}
