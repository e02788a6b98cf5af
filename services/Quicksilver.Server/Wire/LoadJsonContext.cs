using System.Text.Json;
using System.Text.Json.Serialization;

namespace Quicksilver.Server.Wire;

/// <summary>Source-generated JSON metadata of <see cref="LoadReport"/> (snake_case names).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(LoadReport))]
internal sealed partial class LoadJsonContext : JsonSerializerContext;
