using System.Text.Json;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Checkpoints;

/// <summary>Reads a model folder's optional <c>generation_config.json</c> into <see cref="GenerationDefaults"/>.</summary>
public static class GenerationConfigReader
{
    /// <summary>
    /// Reads <paramref name="path"/>. The file is optional: when it does not exist the result is
    /// <see cref="GenerationDefaults.None"/>. Fields the engine does not use are ignored.
    /// </summary>
    /// <exception cref="CheckpointException">The file is malformed, or a field has the wrong JSON type or a value out of range; the message names the field.</exception>
    public static GenerationDefaults Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            return GenerationDefaults.None;
        }

        JsonElement root = JsonFields.LoadObject(path);
        int? topK = JsonFields.OptionalInt(path, root, "top_k");
        Require(path, "top_k", topK is null or >= -1, $"must be at least 1, or 0 or -1 to disable it, got {topK}");
        var defaults = new GenerationDefaults
        {
            EosTokenIds = JsonFields.OptionalIntOrList(path, root, "eos_token_id"),
            Steps = JsonFields.OptionalInt(path, root, "steps"),
            BlockLength = JsonFields.OptionalInt(path, root, "block_length"),
            Temperature = JsonFields.OptionalDouble(path, root, "temperature"),
            MaxNewTokens = JsonFields.OptionalInt(path, root, "max_new_tokens"),
            Remasking = Algorithm(path, JsonFields.OptionalString(path, root, "alg")),
            AlgorithmTemperature = JsonFields.OptionalDouble(path, root, "alg_temp"),
            TopP = JsonFields.OptionalDouble(path, root, "top_p"),
            TopK = topK is { } k ? Math.Max(k, 0) : null,
            Eps = JsonFields.OptionalDouble(path, root, "eps"),
            Threshold = JsonFields.OptionalDouble(path, root, "threshold"),
            Factor = JsonFields.OptionalDouble(path, root, "factor"),
        };

        Require(path, "eos_token_id", defaults.EosTokenIds?.All(id => id >= 0) ?? true, $"token ids must be non-negative, got [{string.Join(", ", defaults.EosTokenIds ?? [])}]");
        Require(path, "steps", defaults.Steps is null or > 0, $"must be positive, got {defaults.Steps}");
        Require(path, "block_length", defaults.BlockLength is null or > 0, $"must be positive, got {defaults.BlockLength}");
        Require(path, "max_new_tokens", defaults.MaxNewTokens is null or > 0, $"must be positive, got {defaults.MaxNewTokens}");
        Require(path, "temperature", defaults.Temperature is null or >= 0, $"must not be negative, got {defaults.Temperature}");
        Require(path, "alg_temp", defaults.AlgorithmTemperature is null or >= 0, $"must not be negative, got {defaults.AlgorithmTemperature}");
        Require(path, "top_p", defaults.TopP is null or (> 0 and <= 1), $"must be in (0, 1], got {defaults.TopP}");
        Require(path, "eps", defaults.Eps is null or (> 0 and < 1), $"must be in (0, 1), got {defaults.Eps}");
        Require(path, "threshold", defaults.Threshold is null or (> 0 and <= 1), $"must be in (0, 1], got {defaults.Threshold}");
        Require(path, "factor", defaults.Factor is null or > 0, $"must be positive, got {defaults.Factor}");
        Require(path, "factor", defaults.Threshold is null || defaults.Factor is null, "'threshold' and 'factor' are two different commit rules; set one of them");
        return defaults;
    }

    private static RemaskingStrategy? Algorithm(string path, string? name) =>
        name is null ? null
        : DreamAlgorithmNames.All.TryGetValue(name, out RemaskingStrategy remasking) ? remasking
        : throw new CheckpointException(path, "alg", $"unknown algorithm '{name}'; expected one of {string.Join(", ", DreamAlgorithmNames.All.Keys.Select(k => $"'{k}'"))}.");

    private static void Require(string path, string field, bool condition, string problem)
    {
        if (!condition)
        {
            throw new CheckpointException(path, field, problem);
        }
    }
}
