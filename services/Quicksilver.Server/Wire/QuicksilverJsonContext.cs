using System.Text.Json;
using System.Text.Json.Serialization;

namespace Quicksilver.Server.Wire;

/// <summary>
/// Source-generated JSON metadata of the wire types (snake_case names, nulls written). Serialize through
/// <see cref="WireJson"/>, whose options also keep non-ASCII text unescaped.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Completion))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(CompletionRequestDocument))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(ChatCompletionRequestDocument))]
[JsonSerializable(typeof(TokenizeResponse))]
[JsonSerializable(typeof(DetokenizeResponse))]
[JsonSerializable(typeof(TokenizeRequestDocument))]
[JsonSerializable(typeof(DetokenizeRequestDocument))]
internal sealed partial class QuicksilverJsonContext : JsonSerializerContext;
