using Quicksilver.Charts.Tests.Infrastructure;
using YamlDotNet.Core;

namespace Quicksilver.Charts.Tests;

/// <summary>
/// Every manifest template is YAML once its template actions are stubbed (see <see cref="TemplateStubber"/> for what
/// that does and does not prove), and each document is a Kubernetes object with a name.
/// </summary>
public sealed class TemplateYamlTests
{
    public static TheoryData<string> ManifestTemplates() =>
        [.. ChartFolders.ManifestTemplates(ChartFolders.Templates).Select(ChartFolders.Relative)];

    [Theory]
    [MemberData(nameof(ManifestTemplates))]
    public void Stub_ManifestTemplate_ParsesAsKubernetesObjects(string template)
    {
        string stubbed = TemplateStubber.Stub(File.ReadAllText(Path.Combine(ChartFolders.Chart, template)));

        List<System.Text.Json.Nodes.JsonNode?> documents;
        try
        {
            documents = YamlDocuments.Parse(stubbed, allowDuplicateKeys: true);
        }
        catch (YamlException exception)
        {
            Assert.Fail($"{template} is not YAML once stubbed: {exception.Message}\n---\n{stubbed}");
            return;
        }

        Assert.NotEmpty(documents.OfType<System.Text.Json.Nodes.JsonObject>());
        Assert.All(documents.OfType<System.Text.Json.Nodes.JsonObject>(), document =>
        {
            Assert.False(string.IsNullOrEmpty(document["apiVersion"]?.ToString()), $"{template}: a document without apiVersion");
            Assert.False(string.IsNullOrEmpty(document["kind"]?.ToString()), $"{template}: a document without kind");
            Assert.False(string.IsNullOrEmpty(document["metadata"]?["name"]?.ToString()), $"{template}: a document without metadata.name");
        });
    }

    [Fact]
    public void Stub_BrokenIndentationFixture_FailsToParse()
    {
        string stubbed = TemplateStubber.Stub(File.ReadAllText(Path.Combine(ChartFolders.Fixtures, "bad-chart", "templates", "broken-indentation.yaml")));

        Assert.ThrowsAny<YamlException>(() => YamlDocuments.Parse(stubbed, allowDuplicateKeys: true));
    }

    [Fact]
    public void Stub_ControlLinesAndIncludes_BecomePlaceholdersAtTheirIndentation()
    {
        const string Template = """
            {{- $gateway := .Values.gateway }}
            {{- if .Values.enabled }}
            metadata:
              name: {{ include "quicksilver.fullname" . }}-x
              labels:
                {{- include "quicksilver.labels" . | nindent 4 }}
                app: {{ $gateway.name | quote }}
            spec:
              env:
                - name: A
                  value: b
                {{- with .Values.extraEnv }}
                {{- toYaml . | nindent 4 }}
                {{- end }}
            {{- end }}
            """;

        string stubbed = TemplateStubber.Stub(Template);

        Assert.Equal(
            """
            metadata:
              name: stub-include.quicksilver.fullname-x
              labels:
                stub-include.quicksilver.labels: stub
                app: stub_$gateway.name_quote
            spec:
              env:
                - name: A
                  value: b
                - stub_toYaml_._nindent_4
            """,
            stubbed);
    }

    [Fact]
    public void Defines_HelpersFile_FindsEveryDefineWithNestedBlocks()
    {
        Dictionary<string, string> defines = TemplateStubber.Defines(File.ReadAllText(Path.Combine(ChartFolders.Templates, "_helpers.tpl")));

        Assert.Contains("quicksilver.selectorLabels", defines.Keys);
        Assert.Contains("quicksilver.validateValues", defines.Keys);
        Assert.Contains("fail", defines["quicksilver.validateValues"], StringComparison.Ordinal);
        Assert.All(defines.Keys, name => Assert.StartsWith("quicksilver.", name, StringComparison.Ordinal));
    }
}
