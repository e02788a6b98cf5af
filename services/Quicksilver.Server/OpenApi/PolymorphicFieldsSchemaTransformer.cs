using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.OpenApi;

/// <summary>
/// Spells out the fields of the completion request that take several JSON shapes (<c>prompt</c>, <c>stop</c>), which
/// the type generator can only describe as "any value".
/// </summary>
internal sealed class PolymorphicFieldsSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        if (context.JsonTypeInfo.Type != typeof(CompletionRequestDocument) || schema.Properties is null)
        {
            return Task.CompletedTask;
        }

        schema.Properties["prompt"] = OneOf(
            schema.Properties.TryGetValue("prompt", out IOpenApiSchema? prompt) ? prompt.Description : null,
            Of(JsonSchemaType.String),
            ArrayOf(Of(JsonSchemaType.String)),
            ArrayOf(Of(JsonSchemaType.Integer)),
            ArrayOf(ArrayOf(Of(JsonSchemaType.Integer))));
        schema.Properties["stop"] = OneOf(
            schema.Properties.TryGetValue("stop", out IOpenApiSchema? stop) ? stop.Description : null,
            Of(JsonSchemaType.String),
            ArrayOf(Of(JsonSchemaType.String)),
            Of(JsonSchemaType.Null));
        return Task.CompletedTask;
    }

    private static OpenApiSchema Of(JsonSchemaType type) => new() { Type = type };

    private static OpenApiSchema ArrayOf(OpenApiSchema items) => new() { Type = JsonSchemaType.Array, Items = items };

    private static OpenApiSchema OneOf(string? description, params IOpenApiSchema[] choices) =>
        new() { Description = description, OneOf = [.. choices] };
}
