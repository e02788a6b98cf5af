using System.Text.Json;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Errors;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.Relay;
using Quicksilver.Gateway.Telemetry;
using Quicksilver.Gateway.Tenancy;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Reads the JSON body of a request for a model's pods (buffered, so retries can replay it) to learn the model, which
/// picks the pods: the model is put into <see cref="PodHeaders.Model"/> for the model routes to match on. Those are the
/// generation endpoints, which are metered (<see cref="ProxiedRequest"/>), and vLLM's <c>/tokenize</c> and
/// <c>/detokenize</c>, which take no device time and are not. Answers itself what the gateway can judge: 400 for a
/// body that is not a JSON object or has no model, 404 for a model no pod serves or the tenant may not
/// use, 413 for a body over the limit, 400 or 408 for one that could not be read whole (broken framing, sent too slowly),
/// 415 for a compressed one. Everything else is the pod's to validate.
/// </summary>
internal sealed class ModelRoutingMiddleware(
    RequestDelegate next,
    IOptionsMonitor<GatewayOptions> options,
    IProxyStateLookup proxyState,
    PodLoadRegistry loads,
    GatewayMetrics metrics)
{
    /// <summary>OpenAI's (and the pods') <c>max_tokens</c> of a completion that names none.</summary>
    private const int CompletionsDefaultMaxTokens = 16;

    private const string CompletionsPath = "/v1/completions";
    private const string ChatCompletionsPath = "/v1/chat/completions";

    /// <summary>vLLM's tokenizer endpoints, which the pods serve at the root, as vLLM does.</summary>
    private static readonly string[] TokenizerPaths = ["/tokenize", "/detokenize"];

    private enum PodEndpoint
    {
        None,
        Generation,
        Tokenizer,
    }

    /// <summary>Whether this middleware routed <paramref name="context"/> to a model's pods (generation or tokenizer).</summary>
    public static bool IsForPods(HttpContext context) => context.Request.Headers.ContainsKey(PodHeaders.Model);

    /// <summary>Whether <paramref name="path"/> is one of vLLM's tokenizer endpoints, which need a tenant's key as <c>/v1</c> does.</summary>
    public static bool IsTokenizer(PathString path) => Matches(path, TokenizerPaths);

    public async Task InvokeAsync(HttpContext context)
    {
        context.Request.Headers.Remove(PodHeaders.Model);
        PodEndpoint endpoint = HttpMethods.IsPost(context.Request.Method) ? EndpointOf(context.Request.Path) : PodEndpoint.None;
        if (endpoint == PodEndpoint.None || context.GetTenant() is not { } tenant)
        {
            await next(context);
            return;
        }

        if (ContentEncodingOf(context.Request) is { } encoding)
        {
            metrics.Rejected(tenant, GatewayMetrics.RejectionReasons.InvalidRequest);
            await GatewayError.UnsupportedContentEncoding(encoding).WriteAsync(context.Response);
            return;
        }

        long limit = options.CurrentValue.MaxRequestBodyBytes;
        ReadOnlyMemory<byte> body;
        switch (await RequestBody.ReadAsync(context, limit))
        {
            case RequestBody.Received received:
                body = received.Bytes;
                break;
            case RequestBody.Refused refused:
                // The rest of the body is still on the connection, which cannot carry another request: the client is
                // told (Kestrel closes it, but says so only for some of these).
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers.Connection = "close";
                    return Task.CompletedTask;
                });
                metrics.Rejected(tenant, refused.Reason);
                await refused.Error.WriteAsync(context.Response);
                return;
            default:
                return; // abandoned: nobody to answer (Kestrel, its connection's input ended, answers nothing and records 499)
        }

        if (Read(body, IsChat(context.Request.Path)) is not { } fields)
        {
            metrics.Rejected(tenant, GatewayMetrics.RejectionReasons.InvalidRequest);
            await GatewayError.BadRequest("We could not parse the JSON body of your request.", null).WriteAsync(context.Response);
            return;
        }

        if (fields.Problem is { } problem)
        {
            metrics.Rejected(tenant, GatewayMetrics.RejectionReasons.InvalidRequest);
            await GatewayError.BadRequest(problem.Message, problem.Param).WriteAsync(context.Response);
            return;
        }

        if (fields.Model is not { Length: > 0 } model)
        {
            metrics.Rejected(tenant, GatewayMetrics.RejectionReasons.InvalidRequest);
            await GatewayError.BadRequest("You must provide a model parameter.", "model").WriteAsync(context.Response);
            return;
        }

        if (!options.CurrentValue.Models.TryGetValue(model, out ModelPodsOptions? pods))
        {
            metrics.Rejected(tenant, GatewayMetrics.RejectionReasons.ModelNotFound);
            await GatewayError.ModelNotFound(model).WriteAsync(context.Response);
            return;
        }

        if (!tenant.MayUse(model))
        {
            metrics.Rejected(tenant, GatewayMetrics.RejectionReasons.ModelNotAllowed);
            await GatewayError.ModelNotFound(model).WriteAsync(context.Response);
            return;
        }

        if (endpoint == PodEndpoint.Generation)
        {
            // As the pods bound it, by their own report; the configured limit until one of them has reported.
            AnswerLimits limits = LimitsOf(model) ?? new AnswerLimits(pods.MaxTokens, pods.MaxTokens);
            long answerTokens = fields.MaxTokens is { } asked ? Math.Min(asked, limits.MaxTokens) : limits.ChatDefaultMaxTokens;
            string operation = IsChat(context.Request.Path) ? GatewayMetrics.ChatOperation : GatewayMetrics.TextCompletionOperation;
            context.Features.Set(new ProxiedRequest(tenant, model, fields.Stream, fields.IncludeUsage, answerTokens * fields.Choices, operation));
        }

        context.Request.Headers[PodHeaders.Model] = model;
        await next(context);
    }

    /// <summary>The answer limits the model's pods, as the gateway routes them now, reported; null before one did.</summary>
    private AnswerLimits? LimitsOf(string model) =>
        proxyState.TryGetCluster(ModelRoutesConfigProvider.ClusterId(model), out ClusterState? cluster)
            ? loads.LimitsOf(cluster.Destinations.Values.Select(d => d.Model.Config.Address))
            : null;

    /// <summary>The body's content coding when it has one (anything but <c>identity</c>): the gateway reads bodies as sent, uncompressed.</summary>
    private static string? ContentEncodingOf(HttpRequest request)
    {
        string encoding = request.Headers.ContentEncoding.ToString().Trim();
        return encoding.Length == 0 || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase) ? null : encoding;
    }

    /// <summary>
    /// The pods' endpoint <paramref name="path"/> names, matched as their routing matches it (any case, one trailing
    /// slash): any other path is left to the gateway's own routes and its 404, body unread.
    /// </summary>
    private static PodEndpoint EndpointOf(PathString path) =>
        Matches(path, [CompletionsPath, ChatCompletionsPath]) ? PodEndpoint.Generation
        : IsTokenizer(path) ? PodEndpoint.Tokenizer
        : PodEndpoint.None;

    private static bool Matches(PathString path, ReadOnlySpan<string> endpoints)
    {
        ReadOnlySpan<char> value = path.Value;
        if (value.EndsWith("/", StringComparison.Ordinal))
        {
            value = value[..^1];
        }

        foreach (string endpoint in endpoints)
        {
            if (value.Equals(endpoint, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsChat(PathString path) => path.StartsWithSegments(ChatCompletionsPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The fields that route and bound a request. Its answer tokens per choice are read as its pod reads them: chat's
    /// <c>max_completion_tokens</c>, else <c>max_tokens</c>, else null (the pods' chat default); a completion's
    /// <c>max_tokens</c>, else OpenAI's default of 16. Choices are <c>n</c>, and for completions <c>best_of</c> if larger.
    /// A <c>model</c> that is not a string, or not Unicode text (a lone surrogate escape), is its problem, in the pods'
    /// words.
    /// </summary>
    private static (string? Model, (string Message, string? Param)? Problem, bool Stream, bool IncludeUsage, int? MaxTokens, int Choices)? Read(ReadOnlyMemory<byte> body, bool chat)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, ($"The request body must be a JSON object, but got {Kind(root.ValueKind)} instead.", null), false, false, null, 1);
            }

            (string? model, string? modelProblem) = Model(root);
            bool stream = root.TryGetProperty("stream", out JsonElement s) && s.ValueKind == JsonValueKind.True;
            bool includeUsage = root.TryGetProperty("stream_options", out JsonElement o) && o.ValueKind == JsonValueKind.Object
                && o.TryGetProperty("include_usage", out JsonElement u) && u.ValueKind == JsonValueKind.True;
            // The pod validates these; here they only bound what the answer can spend.
            int? maxTokens = chat
                ? PositiveInteger(root, "max_completion_tokens") ?? PositiveInteger(root, "max_tokens")
                : PositiveInteger(root, "max_tokens") ?? CompletionsDefaultMaxTokens;
            int choices = Math.Clamp(Math.Max(PositiveInteger(root, "n") ?? 1, chat ? 1 : PositiveInteger(root, "best_of") ?? 1), 1, 128);
            return (model, modelProblem is null ? null : (modelProblem, "model"), stream, includeUsage, maxTokens, choices);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (string? Model, string? Problem) Model(JsonElement root)
    {
        if (!root.TryGetProperty("model", out JsonElement model) || model.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        if (model.ValueKind != JsonValueKind.String)
        {
            return (null, $"Invalid type for 'model': expected a string, but got {Kind(model.ValueKind)} instead.");
        }

        try
        {
            return (model.GetString(), null);
        }
        catch (InvalidOperationException)
        {
            return (null, "'model' is not valid Unicode text: it holds a lone surrogate escape (such as \\ud800) or bytes that are not UTF-8.");
        }
    }

    // In the pods' words (RequestFieldReader.Describe).
    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static int? PositiveInteger(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetDouble(out double number) && number >= 1 && double.IsInteger(number)
            ? (int)Math.Min(number, int.MaxValue)
            : null;
}
