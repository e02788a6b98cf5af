namespace Quicksilver.Engine.Checkpoints;

/// <summary>Maps safetensors <c>dtype</c> strings to <see cref="TensorDType"/> and tells unsupported ones from unknown ones.</summary>
internal static class SafetensorsDTypeNames
{
    /// <summary>Every dtype string the safetensors format defines, whether or not the engine reads it.</summary>
    private static readonly HashSet<string> FormatDTypes = new(StringComparer.Ordinal)
    {
        "BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0",
        "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64", "F64", "I64", "U64",
    };

    /// <summary>The dtypes the engine reads, as the header spells them, for error messages.</summary>
    public static string Supported { get; } = string.Join(", ", Enum.GetValues<TensorDType>().Select(d => d.ToSafetensorsName()));

    /// <summary>
    /// Parses <paramref name="name"/>; on failure <paramref name="problem"/> says whether the dtype is a valid
    /// safetensors dtype the engine does not support, or not a safetensors dtype at all.
    /// </summary>
    public static bool TryParse(string name, out TensorDType dtype, out string? problem)
    {
        foreach (TensorDType candidate in Enum.GetValues<TensorDType>())
        {
            if (string.Equals(candidate.ToSafetensorsName(), name, StringComparison.Ordinal))
            {
                dtype = candidate;
                problem = null;
                return true;
            }
        }

        dtype = default;
        problem = FormatDTypes.Contains(name)
            ? $"unsupported dtype {name} (supported: {Supported})"
            : $"unknown dtype '{name}' (not a safetensors dtype; supported: {Supported})";
        return false;
    }
}
