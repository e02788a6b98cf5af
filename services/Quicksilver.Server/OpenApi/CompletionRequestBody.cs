using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.OpenApi;

/// <summary>
/// Documents the body of <c>POST /v1/completions</c>. The handler reads the body itself, so the endpoint carries no
/// <c>Accepts</c> metadata (which routing would enforce, turning a wrong Content-Type into a bare 415 or a 404
/// instead of the OpenAI-shaped error).
/// </summary>
internal static class CompletionRequestBody
{
    public static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        IOpenApiSchema schema = await context.GetOrCreateSchemaAsync(typeof(CompletionRequestDocument), null, cancellationToken);
        const string id = nameof(CompletionRequestDocument);
        if (context.Document is { } document)
        {
            document.AddComponent(id, schema);
            schema = new OpenApiSchemaReference(id, document);
        }

        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "The completion request: OpenAI's fields plus the diffusion extension fields.",
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
    }
}
