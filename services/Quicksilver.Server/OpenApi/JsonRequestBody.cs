using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Quicksilver.Server.OpenApi;

/// <summary>
/// Documents the JSON body of an endpoint whose handler reads the body itself (<c>Http.JsonBodyReader</c>), so it
/// carries no <c>Accepts</c> metadata: routing would enforce that, turning a wrong Content-Type into a bare 415 or a
/// 404 instead of the OpenAI-shaped error. The body's type becomes a component schema named after it.
/// </summary>
internal static class JsonRequestBody
{
    /// <summary>An operation transformer that documents a required body of <typeparamref name="TDocument"/>.</summary>
    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> Of<TDocument>(string description) =>
        async (operation, context, cancellationToken) =>
        {
            ArgumentNullException.ThrowIfNull(operation);
            ArgumentNullException.ThrowIfNull(context);
            IOpenApiSchema schema = await context.GetOrCreateSchemaAsync(typeof(TDocument), null, cancellationToken);
            string id = typeof(TDocument).Name;
            if (context.Document is { } document)
            {
                document.AddComponent(id, schema);
                schema = new OpenApiSchemaReference(id, document);
            }

            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        };
}
