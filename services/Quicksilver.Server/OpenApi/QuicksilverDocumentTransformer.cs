using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Quicksilver.Server.OpenApi;

/// <summary>Titles the OpenAPI document (<c>/openapi/v1.json</c>).</summary>
internal sealed class QuicksilverDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Info = new OpenApiInfo
        {
            Title = "Quicksilver model server",
            Version = "v1",
            Description =
                "OpenAI-compatible API of a diffusion language model server. Diffusion and sampling controls (steps, " +
                "block_length, remasking, alg_temp, threshold, factor, kv_cache, kv_cache_refresh, top_k) are extra " +
                "fields of the request; streamed " +
                "answers arrive one block of the canvas at a time.",
        };
        return Task.CompletedTask;
    }
}
