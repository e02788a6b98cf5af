using System.Text.Json.Nodes;
using Quicksilver.Charts.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests.Rendering;

/// <summary>
/// The chart rendered by <c>helm template</c> (<see cref="ChartRenderer"/>): with its own values and each example under <c>ci/</c> every template executes and every document is a named
/// Kubernetes object whose workload selectors match their pods, and values reach the manifests as documented.
/// </summary>
public sealed class ChartRenderTests
{
    private const string Defaults = "values.yaml";

    public static TheoryData<string> ValuesFiles() =>
        [Defaults, .. Directory.EnumerateFiles(Path.Combine(ChartFolders.Chart, "ci"), "*.yaml").Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal)];

    [ChartRenderTheory]
    [MemberData(nameof(ValuesFiles))]
    public void Render_OwnValuesAndExamples_EveryDocumentIsANamedObjectAndSelectorsMatchTheirPods(string file)
    {
        List<JsonObject> documents = Rendered(file == Defaults ? [] : [Path.Combine(ChartFolders.Chart, "ci", file)]);

        Assert.NotEmpty(documents);
        Assert.All(documents, document =>
        {
            Assert.False(string.IsNullOrEmpty(document["apiVersion"]?.ToString()), document.ToJsonString());
            Assert.False(string.IsNullOrEmpty(document["kind"]?.ToString()), document.ToJsonString());
            Assert.False(string.IsNullOrEmpty(document["metadata"]?["name"]?.ToString()), document.ToJsonString());
        });
        Assert.All(documents.Where(d => d["kind"]!.ToString() == "Deployment"), deployment =>
        {
            JsonObject selector = deployment["spec"]!["selector"]!["matchLabels"]!.AsObject();
            JsonObject labels = deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
            Assert.All(selector, label => Assert.Equal(label.Value!.ToString(), labels[label.Key]?.ToString()));
        });
    }

    [ChartRenderFact]
    public void Render_ModelsOwnFalseZeroAndNull_WinOverTheSharedSettings()
    {
        List<JsonObject> documents = RenderedWith("""
            pods:
              engine: {WidenWeightsToFp32: true, WarmUpSteps: 8}
              limits: {MaxPromptTokens: 2048}
            models:
              - name: small
                id: small
                storage: {type: embedded}
                engine: {WarmUpSteps: 0, WidenWeightsToFp32: false}
                limits: {MaxPromptTokens: null}
            """);

        JsonObject data = Single(documents, "ConfigMap", "-pod-small")["data"]!.AsObject();
        Assert.Equal("0", data["Quicksilver__Engine__WarmUpSteps"]!.ToString());
        Assert.Equal("false", data["Quicksilver__Engine__WidenWeightsToFp32"]!.ToString());
        Assert.False(data.ContainsKey("Quicksilver__Limits__MaxPromptTokens"));
    }

    [ChartRenderFact]
    public void Render_Defaults_GatewayGraceIsPreStopPlusDrainPlusTen()
    {
        JsonNode pod = Single(Rendered([]), "Deployment", "-gateway")["spec"]!["template"]!["spec"]!;

        Assert.Equal(135L, pod["terminationGracePeriodSeconds"]!.GetValue<long>());
        Assert.Equal(5L, pod["containers"]![0]!["lifecycle"]!["preStop"]!["sleep"]!["seconds"]!.GetValue<long>());
    }

    [ChartRenderFact]
    public void Render_GlobalRegistry_PrefixesTheChartsImagesButNotAModelImage()
    {
        List<JsonObject> documents = RenderedWith("""
            global: {imageRegistry: mirror.example.com}
            models:
              - name: dream
                id: dream-7b
                storage:
                  type: url
                  url:
                    files: [{name: config.json, url: "https://example.com/config.json"}]
              - name: llada
                id: llada-8b
                storage:
                  type: image
                  image: {repository: registry.example.com/models/llada-8b, tag: v1}
              - name: sdar
                id: sdar-4b
                storage:
                  type: url
                  url:
                    image: registry.internal:5000/tools/curl:8
                    files: [{name: config.json, url: "https://example.com/config.json"}]
            """);

        Assert.Equal("mirror.example.com/curlimages/curl:8.11.1", InitImage(Single(documents, "Deployment", "-pod-dream")));
        Assert.Equal("registry.example.com/models/llada-8b:v1", InitImage(Single(documents, "Deployment", "-pod-llada")));
        Assert.Equal("registry.internal:5000/tools/curl:8", InitImage(Single(documents, "Deployment", "-pod-sdar")));
        Assert.Equal("mirror.example.com/curlimages/curl:8.11.1", Single(documents, "Pod", "-test")["spec"]!["containers"]![0]!["image"]!.ToString());
        Assert.StartsWith("mirror.example.com/", Single(documents, "Deployment", "-gateway")["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.ToString(), StringComparison.Ordinal);
    }

    [ChartRenderFact]
    public void Render_GatewayPeersLimitedWithAServiceMonitor_LetsItsPrometheusInToTheManagementPortOnly()
    {
        List<JsonObject> documents = RenderedWith("""
            monitoring: {serviceMonitor: {enabled: true}}
            networkPolicy:
              pods: {extraFrom: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]}
              gateway: {from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: apps}}}]}
            """);

        JsonArray ingress = Single(documents, "NetworkPolicy", "-gateway")["spec"]!["ingress"]!.AsArray();
        Assert.Equal(["apps"], Namespaces(ingress[0]!));
        Assert.Equal("http", ingress[0]!["ports"]![0]!["port"]!.GetValue<string>());
        Assert.Equal(["monitoring"], Namespaces(ingress[1]!));
        Assert.Equal("management", ingress[1]!["ports"]![0]!["port"]!.GetValue<string>());

        static string[] Namespaces(JsonNode rule) =>
            [.. rule["from"]!.AsArray().Select(peer => peer!["namespaceSelector"]?["matchLabels"]?["kubernetes.io/metadata.name"]?.ToString()).OfType<string>()];
    }

    [ChartRenderFact]
    public void Render_AlertsWithoutTheServiceMonitor_FailsSayingWhatToEnable()
    {
        (bool succeeded, _, string error) = ChartRenderer.RenderWith("monitoring: {prometheusRule: {enabled: true}}");

        Assert.False(succeeded);
        Assert.Contains("Enable monitoring.serviceMonitor too", error, StringComparison.Ordinal);
    }

    [ChartRenderFact]
    public void Render_MoreChoicesThanAModelsQueue_FailsNamingTheModel()
    {
        (bool succeeded, _, string error) = ChartRenderer.RenderWith("pods: {engine: {MaxQueuedRequests: 4}}");
        (bool lowered, _, _) = ChartRenderer.RenderWith("pods: {engine: {MaxQueuedRequests: 4}, limits: {MaxChoices: 4}}");
        (bool modelsOwn, _, string modelError) = ChartRenderer.RenderWith("models: [{name: tiny, id: quicksilver-tiny, storage: {type: embedded}, engine: {MaxQueuedRequests: 6}}]");
        (bool modelLowered, _, string loweredError) = ChartRenderer.RenderWith(
            "pods: {engine: {MaxQueuedRequests: 4}}\nmodels: [{name: tiny, id: quicksilver-tiny, storage: {type: embedded}, limits: {MaxChoices: 2}}]");

        Assert.False(succeeded);
        Assert.Contains("models[tiny]: limits.MaxChoices (8) must not exceed engine.MaxQueuedRequests (4)", error, StringComparison.Ordinal);
        Assert.True(lowered);
        Assert.False(modelsOwn);
        Assert.Contains("models[tiny]: limits.MaxChoices (8) must not exceed engine.MaxQueuedRequests (6)", modelError, StringComparison.Ordinal);
        Assert.True(modelLowered, loweredError);
    }

    [ChartRenderFact]
    public void Render_GeneratedGatewayKey_TheChecksumsAreOfTheKeyTheSecretHolds()
    {
        List<JsonObject> documents = Rendered([]);

        string key = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Single(documents, "Secret", "-gateway-key")["data"]!["gateway-key"]!.ToString()));
        Assert.Equal(48, key.Length);
        Assert.Equal(Sha256Hex(key), KeyChecksum(Single(documents, "Deployment", "-gateway")));
        Assert.Equal(Sha256Hex(key), KeyChecksum(Single(documents, "Deployment", "-pod-tiny")));
    }

    private static string KeyChecksum(JsonObject deployment) =>
        deployment["spec"]!["template"]!["metadata"]!["annotations"]!["checksum/gateway-key"]!.ToString();

    private static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    private static string InitImage(JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!["initContainers"]![0]!["image"]!.ToString();

    private static JsonObject Single(List<JsonObject> documents, string kind, string nameSuffix) =>
        Assert.Single(documents, d => d["kind"]!.ToString() == kind && d["metadata"]!["name"]!.ToString().EndsWith(nameSuffix, StringComparison.Ordinal));

    private static List<JsonObject> Rendered(string[] valuesFiles) => Documents(ChartRenderer.Render(valuesFiles));

    private static List<JsonObject> RenderedWith(string valuesYaml) => Documents(ChartRenderer.RenderWith(valuesYaml));

    private static List<JsonObject> Documents((bool Succeeded, string Output, string Error) render)
    {
        Assert.True(render.Succeeded, render.Error);
        return [.. YamlDocuments.Parse(render.Output).OfType<JsonObject>()];
    }
}
