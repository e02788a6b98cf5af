namespace Quicksilver.Server.OpenApi;

/// <summary>
/// What the OpenAPI descriptions of both generation endpoints say about their extension fields, usage, cost and the
/// gateway's headers.
/// </summary>
internal static class GatewayContractNotes
{
    public const string ExtensionFields =
        " Diffusion and sampling controls beyond OpenAI's (`steps`, `block_length`, `remasking`, `alg_temp`, `threshold`, " +
        "`factor`, `kv_cache`, `kv_cache_refresh`, `top_k`) are extra fields of the same body; " +
        "what a request leaves out comes from the model's " +
        "`generation_config.json` (`GET /v1/models` shows it as `generation_defaults`), then the deployment's.";

    public const string Errors = " Errors use OpenAI's shape `{\"error\":{\"message\",\"type\",\"param\",\"code\"}}`.";

    public const string Description =
        " `usage` also reports `gpu_seconds` (device seconds charged to the request: each step's measured wall time shared " +
        "among its batch by the tokens each sequence processed) and `cost_usd` (`gpu_seconds` × the pod's " +
        "`Quicksilver:Metering:GpuHourPriceUsd` / 3600). Every response carries `X-Quicksilver-Load: waiting=<int>, " +
        "running=<int>, tokens=<int>`. `X-Quicksilver-Tenant` is accepted only with the gateway's `X-Quicksilver-Gateway-Key` " +
        "(otherwise 401 `invalid_gateway_key`); from the gateway, `X-Quicksilver-Include-Usage: true` adds the usage chunk " +
        "to a stream.";
}
