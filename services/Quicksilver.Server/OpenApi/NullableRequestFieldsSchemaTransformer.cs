using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Quicksilver.Server.OpenApi;

/// <summary>
/// Lets a request document's nullable object fields (<c>stream_options</c>) be null, which the type generator drops
/// for them (it keeps it for scalars and enums): the server reads null as absent, as OpenAI and vLLM do.
/// </summary>
internal sealed class NullableRequestFieldsSchemaTransformer : IOpenApiSchemaTransformer
{
    private readonly NullabilityInfoContext _nullability = new();

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        if (!context.JsonTypeInfo.Type.Name.EndsWith("RequestDocument", StringComparison.Ordinal) || schema.Properties is null)
        {
            return Task.CompletedTask;
        }

        foreach (JsonPropertyInfo property in context.JsonTypeInfo.Properties)
        {
            if (schema.Properties.TryGetValue(property.Name, out IOpenApiSchema? field)
                && field is OpenApiSchema { Type: JsonSchemaType.Object } objectField
                && IsNullable(property))
            {
                objectField.Type = JsonSchemaType.Object | JsonSchemaType.Null;
            }
        }

        return Task.CompletedTask;
    }

    private bool IsNullable(JsonPropertyInfo property)
    {
        if (Nullable.GetUnderlyingType(property.PropertyType) is not null)
        {
            return true;
        }

        lock (_nullability)
        {
            return property.AttributeProvider is PropertyInfo info && _nullability.Create(info).ReadState == NullabilityState.Nullable;
        }
    }
}
