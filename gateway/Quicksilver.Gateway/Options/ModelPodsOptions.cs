namespace Quicksilver.Gateway.Options;

/// <summary>Where one model's pods are: a static list, a Kubernetes headless Service, or both.</summary>
public sealed class ModelPodsOptions
{
    /// <summary>Pod base addresses, e.g. <c>http://10.0.0.7:8000</c>.</summary>
    public List<string> Pods { get; init; } = [];

    /// <summary>
    /// The DNS name of a headless Service (e.g. <c>quicksilver-tiny.ml.svc.cluster.local</c>) whose A records are the
    /// ready pods; re-resolved every <see cref="RoutingOptions.DnsRefreshInterval"/>, so pods come and go without a restart.
    /// </summary>
    public string? HeadlessService { get; init; }

    /// <summary>The pods' port behind <see cref="HeadlessService"/>.</summary>
    public int PodPort { get; init; } = 8000;

    /// <summary>The pods' scheme behind <see cref="HeadlessService"/>: <c>http</c> or <c>https</c>.</summary>
    public string PodScheme { get; init; } = "http";

    /// <summary>
    /// The pods' <c>Quicksilver:Limits:MaxTokens</c>, until one of them has reported its answer limits on
    /// <c>GET /load</c> (its largest <c>max_tokens</c>, and the budget of a chat request that names none, capped at the
    /// model's <c>max_new_tokens</c>): the most answer tokens a choice can run to. An answer that ends without its
    /// usage (the client left) is debited its ceiling from the tenant's token budget
    /// (<see cref="Relay.ProxiedRequest.AnswerTokenCeiling"/>).
    /// </summary>
    public int MaxTokens { get; init; } = 1024;
}
