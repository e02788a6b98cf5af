using System.Text.Json.Nodes;

namespace Quicksilver.Charts.Tests.Infrastructure;

/// <summary>
/// Whether the selectors of a chart select what they should: Services and PodDisruptionBudgets select the pods of a
/// workload, each workload's selector matches its own pod template, NetworkPolicies apply to (and admit) pods the
/// chart runs, ServiceMonitors select a Service, PodMonitors the pods of one workload, and autoscalers target a Deployment. Compared on the stubbed
/// templates, so a label's value written as a template action compares by its expression.
/// </summary>
internal static class SelectorCheck
{
    public static List<string> Problems(ChartManifests chart)
    {
        var problems = new List<string>();
        var workloads = chart.OfKind("Deployment").Select(d => (Manifest: d, PodLabels: chart.Labels(d["spec.template.metadata.labels"]))).ToList();
        var podLabelSets = workloads.Select(w => w.PodLabels).Concat(chart.OfKind("Pod").Select(p => chart.Labels(p["metadata.labels"]))).ToList();

        foreach ((Manifest deployment, HashSet<string> podLabels) in workloads)
        {
            HashSet<string> selector = chart.Labels(deployment["spec.selector.matchLabels"]);
            if (selector.Count == 0 || !selector.IsSubsetOf(podLabels))
            {
                problems.Add($"{deployment}: spec.selector.matchLabels [{string.Join(", ", selector.Except(podLabels))}] not in its pod template's labels");
            }
        }

        foreach (Manifest service in chart.OfKind("Service"))
        {
            RequireSelects(service, chart.Labels(service["spec.selector"]), "spec.selector", workloads.Select(w => w.PodLabels), exactlyOne: true);
        }

        foreach (Manifest budget in chart.OfKind("PodDisruptionBudget"))
        {
            RequireSelects(budget, chart.Labels(budget["spec.selector.matchLabels"]), "spec.selector.matchLabels", workloads.Select(w => w.PodLabels), exactlyOne: true);
        }

        foreach (Manifest policy in chart.OfKind("NetworkPolicy"))
        {
            RequireSelects(policy, chart.Labels(policy["spec.podSelector.matchLabels"]), "spec.podSelector.matchLabels", workloads.Select(w => w.PodLabels), exactlyOne: false);
            // Placeholders for user-supplied peers are scalars; only the chart's own peers are objects.
            foreach (JsonObject peer in (policy["spec.ingress"]?.AsArray() ?? []).SelectMany(rule => rule?["from"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (peer["podSelector"]?["matchLabels"] is { } peerSelector && peer["namespaceSelector"] is null)
                {
                    RequireSelects(policy, chart.Labels(peerSelector), "an ingress from.podSelector", podLabelSets, exactlyOne: false);
                }
            }
        }

        var serviceLabels = chart.OfKind("Service").Select(s => chart.Labels(s["metadata.labels"])).ToList();
        foreach (Manifest monitor in chart.OfKind("ServiceMonitor"))
        {
            RequireSelects(monitor, chart.Labels(monitor["spec.selector.matchLabels"]), "spec.selector.matchLabels", serviceLabels, exactlyOne: false);
        }

        foreach (Manifest monitor in chart.OfKind("PodMonitor"))
        {
            RequireSelects(monitor, chart.Labels(monitor["spec.selector.matchLabels"]), "spec.selector.matchLabels", workloads.Select(w => w.PodLabels), exactlyOne: true);
        }

        var deploymentNames = workloads.Select(w => w.Manifest.Name).ToHashSet(StringComparer.Ordinal);
        foreach (Manifest scaler in chart.OfKind("HorizontalPodAutoscaler").Concat(chart.OfKind("ScaledObject")))
        {
            string target = scaler["spec.scaleTargetRef.name"]?.ToString() ?? string.Empty;
            if (!deploymentNames.Contains(target))
            {
                problems.Add($"{scaler}: scaleTargetRef.name '{target}' is no Deployment of the chart");
            }
        }

        var serviceNames = chart.OfKind("Service").Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (Manifest ingress in chart.OfKind("Ingress"))
        {
            foreach (var path in (ingress["spec.rules"]?.AsArray() ?? []).SelectMany(rule => rule?["http"]?["paths"]?.AsArray() ?? []))
            {
                string backend = path?["backend"]?["service"]?["name"]?.ToString() ?? string.Empty;
                if (!serviceNames.Contains(backend))
                {
                    problems.Add($"{ingress}: backend service '{backend}' is no Service of the chart");
                }
            }
        }

        return problems;

        void RequireSelects(Manifest owner, HashSet<string> selector, string where, IEnumerable<HashSet<string>> candidates, bool exactlyOne)
        {
            int matches = candidates.Count(selector.IsSubsetOf);
            if (selector.Count == 0 || matches == 0)
            {
                problems.Add($"{owner}: {where} [{string.Join(", ", selector)}] selects no pods of the chart");
            }
            else if (exactlyOne && matches > 1)
            {
                problems.Add($"{owner}: {where} [{string.Join(", ", selector)}] selects the pods of {matches} workloads");
            }
        }
    }
}
