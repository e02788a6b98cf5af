using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Quicksilver.Charts.Tests.Infrastructure;
using Quicksilver.Engine;
using Quicksilver.Engine.Metering;
using Quicksilver.Gateway.Options;
using Quicksilver.Server;
using Quicksilver.Server.Hosting;
using Quicksilver.Server.Telemetry;

namespace Quicksilver.Charts.Tests;

/// <summary>
/// The settings the chart writes as environment variables (<c>Section__Key</c>) bind to real properties of the
/// gateway's and the pod's options classes, so a renamed option fails here instead of being silently ignored.
/// </summary>
public sealed partial class OptionsContractTests
{
    /// <summary>Configuration sections (with <c>*</c> for a dynamic key such as the model id) and their options types.</summary>
    private static readonly Dictionary<string, Type[]> Sections = new(StringComparer.Ordinal)
    {
        ["Quicksilver"] = [typeof(QuicksilverOptions), typeof(DrainOptions)],
        ["Quicksilver:Engine"] = [typeof(EngineOptions)],
        ["Quicksilver:Limits"] = [typeof(LimitsOptions)],
        ["Quicksilver:Metering"] = [typeof(MeteringOptions)],
        ["Quicksilver:Tenancy"] = [typeof(Quicksilver.Server.Tenancy.TenancyOptions)],
        ["Quicksilver:Telemetry"] = [typeof(TelemetryOptions)],
        ["Gateway"] = [typeof(GatewayOptions)],
        ["Gateway:Models:*"] = [typeof(ModelPodsOptions)],
        ["Gateway:Routing"] = [typeof(RoutingOptions)],
        ["Gateway:Tenancy"] = [typeof(Quicksilver.Gateway.Options.TenancyOptions)],
    };

    [Fact]
    public void SettingNames_InTemplates_BindToOptionsProperties()
    {
        string text = string.Join('\n', Directory.EnumerateFiles(ChartFolders.Templates, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        string[] names = [.. SettingName().Matches(text).Select(m => m.Value).Distinct()];
        Assert.Contains("Quicksilver__Tenancy__GatewayKey", names);
        Assert.Contains("Gateway__PodKey", names);

        var unbound = new List<string>();
        foreach (string name in names)
        {
            string[] segments = [.. Action().Replace(name, "*").Split("__")];
            if (segments[^1] == "*" && segments.Length > 2 && segments[^2] == "Pods")
            {
                segments = segments[..^1];
            }

            if (segments[^1] == "*")
            {
                continue; // A key taken from a values map; checked against the schema below.
            }

            string section = string.Join(':', segments[..^1]);
            if (!Sections.TryGetValue(section, out Type[]? types) || !types.Any(type => HasProperty(type, segments[^1])))
            {
                unbound.Add(name);
            }
        }

        Assert.Empty(unbound);
    }

    [Theory]
    [InlineData("/properties/gateway/properties/routing", typeof(RoutingOptions), true)]
    [InlineData("/properties/pods/properties/limits", typeof(LimitsOptions), true)]
    [InlineData("/properties/pods/properties/engine", typeof(EngineOptions), false)]
    [InlineData("/properties/models/items/properties/engine", typeof(EngineOptions), false)]
    [InlineData("/properties/models/items/properties/limits", typeof(LimitsOptions), true)]
    public void SchemaKeys_OfSettingMaps_AreOptionsProperties(string schemaPath, Type options, bool everyProperty)
    {
        JsonNode schema = schemaPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Aggregate<string, JsonNode>(ValuesFiles.SchemaDocument(), (node, segment) => node[segment]!);
        string[] keys = [.. schema["properties"]!.AsObject().Select(property => property.Key)];

        Assert.False(schema["additionalProperties"]!.GetValue<bool>(), $"{schemaPath} must reject unknown keys");
        Assert.All(keys, key => Assert.True(HasProperty(options, key), $"{schemaPath}: {key} is no property of {options.Name}"));
        if (everyProperty)
        {
            Assert.Equal(
                options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).Order(StringComparer.Ordinal),
                keys.Order(StringComparer.Ordinal));
        }
    }

    private static bool HasProperty(Type type, string name) =>
        type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is { CanWrite: true };

    [GeneratedRegex(@"\b(?:Quicksilver|Gateway)__(?:[A-Za-z0-9_]|\{\{[^}]*\}\})+")]
    private static partial Regex SettingName();

    [GeneratedRegex(@"\{\{[^}]*\}\}")]
    private static partial Regex Action();
}
