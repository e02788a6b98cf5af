using System.Diagnostics;
using System.Diagnostics.Metrics;
using Quicksilver.Gateway.Relay;
using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.Telemetry;

/// <summary>
/// Meter <c>Quicksilver.Gateway</c>: what each tenant spent, as the pods reported it in the answers' <c>usage</c>
/// (GenAI <c>gen_ai.client.token.usage</c>, plus cost and device seconds), and what the gateway refused or retried.
/// </summary>
internal sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Quicksilver.Gateway";
    public const string TenantAttribute = "quicksilver.tenant";
    public const string ModelAttribute = "gen_ai.request.model";

    /// <summary>The <c>gen_ai.operation.name</c> of chat completions, as the pods name it.</summary>
    public const string ChatOperation = "chat";

    /// <summary>The <c>gen_ai.operation.name</c> of completions, as the pods name it.</summary>
    public const string TextCompletionOperation = "text_completion";

    private readonly Meter _meter;
    private readonly Histogram<long> _tokenUsage;
    private readonly Counter<double> _cost;
    private readonly Counter<double> _gpuSeconds;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _brokenStreams;
    private readonly Counter<long> _unsettled;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _tokenUsage = _meter.CreateHistogram(
            "gen_ai.client.token.usage",
            "{token}",
            "Tokens per answer by gen_ai.token.type (input, output), gen_ai.operation.name, tenant and model, from the answer's usage.",
            tags: null,
            new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576] });
        _cost = _meter.CreateCounter<double>("quicksilver.gateway.cost", "USD", "Cost of the answers relayed with their usage, by tenant and model, as the pods measured it (usage.cost_usd). Answers whose client left first (quicksilver.gateway.answers.unsettled) are not in it; the pods' quicksilver.cost counts every request's device time.");
        _gpuSeconds = _meter.CreateCounter<double>("quicksilver.gateway.gpu.seconds", "s", "Device seconds of the answers relayed with their usage, by tenant and model (usage.gpu_seconds). Answers whose client left first are not in it; the pods' quicksilver.gpu.seconds counts every request's.");
        _rejections = _meter.CreateCounter<long>("quicksilver.gateway.rejections", "{request}", "Requests the gateway refused, or the model's pods could not take, by reason (missing_key, invalid_key, requests_per_minute, tokens_per_minute, model_not_allowed; and with gen_ai.request.model, model_busy 429 or a queue timeout, model_unavailable 503, model_timeout 504).");
        _retries = _meter.CreateCounter<long>("quicksilver.gateway.retries", "{request}", "Requests sent to another pod after one failed before answering, by model.");
        _brokenStreams = _meter.CreateCounter<long>("quicksilver.gateway.streams.broken", "{stream}", "Streams whose pod failed after the answer began; the client got an error event.");
        _unsettled = _meter.CreateCounter<long>("quicksilver.gateway.answers.unsettled", "{answer}", "Answers that ended without their usage (the client left, or a JSON answer too large to read), by tenant and model: each was debited its token ceiling from the tenant's budget.");
    }

    public void Usage(ProxiedRequest request, RelayedUsage usage)
    {
        var tenantTag = new KeyValuePair<string, object?>(TenantAttribute, request.Tenant.Id);
        var modelTag = new KeyValuePair<string, object?>(ModelAttribute, request.Model);
        TagList TokenTags(string type) => new()
        {
            tenantTag,
            modelTag,
            { "gen_ai.operation.name", request.Operation },
            { "gen_ai.provider.name", "quicksilver" },
            { "gen_ai.token.type", type },
        };
        _tokenUsage.Record(usage.PromptTokens, TokenTags("input"));
        _tokenUsage.Record(usage.CompletionTokens, TokenTags("output"));
        if (usage.CostUsd is { } cost)
        {
            _cost.Add(cost, tenantTag, modelTag);
        }

        if (usage.GpuSeconds is { } seconds)
        {
            _gpuSeconds.Add(seconds, tenantTag, modelTag);
        }
    }

    public void Rejected(Tenant? tenant, string reason) =>
        _rejections.Add(1, new(TenantAttribute, tenant?.Id ?? "unknown"), new("reason", reason));

    /// <summary>A request of <paramref name="model"/> its pods could not take (the <c>model_*</c> reasons).</summary>
    public void Rejected(Tenant tenant, string reason, string model) =>
        _rejections.Add(1, new(TenantAttribute, tenant.Id), new("reason", reason), new(ModelAttribute, model));

    public void Retried(string model) => _retries.Add(1, new KeyValuePair<string, object?>(ModelAttribute, model));

    public void Unsettled(Tenant tenant, string model) =>
        _unsettled.Add(1, new KeyValuePair<string, object?>(TenantAttribute, tenant.Id), new KeyValuePair<string, object?>(ModelAttribute, model));

    public void StreamBroken(string model) => _brokenStreams.Add(1, new KeyValuePair<string, object?>(ModelAttribute, model));

    public void Dispose() => _meter.Dispose();

    /// <summary>Values of the <c>reason</c> attribute of <c>quicksilver.gateway.rejections</c>.</summary>
    public static class RejectionReasons
    {
        public const string MissingKey = "missing_key";
        public const string InvalidKey = "invalid_key";
        public const string RequestsPerMinute = "requests_per_minute";
        public const string TokensPerMinute = "tokens_per_minute";
        public const string ModelNotAllowed = "model_not_allowed";

        /// <summary>
        /// 400: a body that is not a JSON object, a model that is missing or not a string, or a body whose framing is
        /// broken; 415: a compressed body.
        /// </summary>
        public const string InvalidRequest = "invalid_request";

        /// <summary>404: a model the gateway does not serve.</summary>
        public const string ModelNotFound = "model_not_found";

        /// <summary>413: a body over <c>Gateway:MaxRequestBodyBytes</c>.</summary>
        public const string RequestTooLarge = "request_too_large";

        /// <summary>408: a body sent more slowly than Kestrel's minimum data rate.</summary>
        public const string RequestTimedOut = "request_timeout";

        /// <summary>502: every pod tried refused the gateway's key (<c>Gateway:PodKey</c> differs from theirs).</summary>
        public const string PodKeyRefused = "pod_key_refused";

        /// <summary>429: the pods shed it (their queues are full, or the wait would be too long); or 503 after it waited out a pod's queue.</summary>
        public const string ModelBusy = "model_busy";

        /// <summary>503: no pod of the model could take it (none ready, or all draining).</summary>
        public const string ModelUnavailable = "model_unavailable";

        /// <summary>504: the gateway's request timeout ended the wait for the pod.</summary>
        public const string ModelTimeout = "model_timeout";
    }
}
