using System.Text.Json.Serialization;

namespace Quicksilver.GpuHarness.Json;

/// <summary>Source-generated JSON (the harness is trimmed: no reflection-based serialisation).</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ParityReport))]
[JsonSerializable(typeof(ParityCheckResult))]
[JsonSerializable(typeof(BenchReport))]
[JsonSerializable(typeof(DecodeReport))]
internal sealed partial class HarnessJsonContext : JsonSerializerContext;
