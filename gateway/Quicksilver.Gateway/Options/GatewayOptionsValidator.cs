using Microsoft.Extensions.Options;

namespace Quicksilver.Gateway.Options;

/// <summary>Checks <see cref="GatewayOptions"/> at start; each failure names the setting.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        if (options.Models.Count == 0)
        {
            failures.Add("Gateway:Models names no model: add e.g. Gateway:Models:<model-id>:Pods:0=http://<pod>:8000.");
        }

        foreach ((string model, ModelPodsOptions pods) in options.Models)
        {
            if (pods.Pods.Count == 0 && string.IsNullOrWhiteSpace(pods.HeadlessService))
            {
                failures.Add($"Gateway:Models:{model} has neither Pods nor HeadlessService.");
            }

            failures.AddRange(pods.Pods
                .Where(pod => !Uri.TryCreate(pod, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
                .Select(pod => $"Gateway:Models:{model}:Pods has '{pod}', which is not an http(s) base address like http://10.0.0.7:8000."));
            if (pods.PodScheme is not ("http" or "https"))
            {
                failures.Add($"Gateway:Models:{model}:PodScheme must be http or https, not '{pods.PodScheme}'.");
            }

            if (pods.PodPort is < 1 or > 65535)
            {
                failures.Add($"Gateway:Models:{model}:PodPort must be a port number (1-65535), not {pods.PodPort}.");
            }

            if (pods.MaxTokens < 1)
            {
                failures.Add($"Gateway:Models:{model}:MaxTokens must be positive (the pods' Quicksilver:Limits:MaxTokens), not {pods.MaxTokens}.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.PodKey) || options.PodKey.Length < 16)
        {
            failures.Add("Gateway:PodKey must be set to a shared secret of at least 16 characters (the pods' Quicksilver:Tenancy:GatewayKey).");
        }

        if (options.DrainTimeout < TimeSpan.Zero)
        {
            failures.Add($"Gateway:DrainTimeout must not be negative, not {options.DrainTimeout}.");
        }

        if (options.ManagementPort is < 1 or > 65535)
        {
            failures.Add($"Gateway:ManagementPort must be a port number (1-65535), not {options.ManagementPort}.");
        }

        if (options.MaxRequestBodyBytes is < 1024 or > GatewayOptions.MaxRequestBodyBytesCeiling)
        {
            failures.Add($"Gateway:MaxRequestBodyBytes must be between 1024 and {GatewayOptions.MaxRequestBodyBytesCeiling} (the gateway holds each body in memory), not {options.MaxRequestBodyBytes}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
