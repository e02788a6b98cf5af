using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Quicksilver.Server.Http;

/// <summary>
/// Writes server-sent events in the OpenAI framing: every event is exactly <c>data: &lt;json&gt;\n\n</c>, flushed
/// at once so the client sees each block of the answer as soon as it is final; the stream ends with
/// <c>data: [DONE]\n\n</c>.
/// </summary>
internal sealed class ServerSentEventsWriter(PipeWriter writer)
{
    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;

    private static ReadOnlySpan<byte> EventEnd => "\n\n"u8;

    private static ReadOnlySpan<byte> Done => "data: [DONE]\n\n"u8;

    /// <summary>Writes one <c>data:</c> event holding <paramref name="value"/> as JSON, and flushes.</summary>
    public async ValueTask WriteAsync<T>(T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        writer.Write(DataPrefix);
        using (var json = new Utf8JsonWriter(writer, new JsonWriterOptions { Encoder = typeInfo.Options.Encoder }))
        {
            JsonSerializer.Serialize(json, value, typeInfo);
        }

        writer.Write(EventEnd);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Writes the terminating <c>data: [DONE]</c> event, and flushes.</summary>
    public async ValueTask WriteDoneAsync(CancellationToken cancellationToken)
    {
        writer.Write(Done);
        await writer.FlushAsync(cancellationToken);
    }
}
