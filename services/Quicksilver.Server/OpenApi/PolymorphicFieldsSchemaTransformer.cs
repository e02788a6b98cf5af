using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.OpenApi;

/// <summary>
/// Spells out the fields of the completion request that take several JSON shapes (<c>prompt</c>, <c>stop</c>,
/// <c>response_format</c>), which the type generator can only describe as "any value".
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
            "The prompt: a string, an array with one string, an array of token ids (each in [0, vocabulary size)), or " +
            "an array with one array of token ids. Must not be empty. Batches of several prompts are not supported yet.",
            Of(JsonSchemaType.String),
            ArrayOf(Of(JsonSchemaType.String)),
            ArrayOf(Of(JsonSchemaType.Integer)),
            ArrayOf(ArrayOf(Of(JsonSchemaType.Integer))));
        schema.Properties["stop"] = OneOf(
            "Up to 4 non-empty stop sequences. The text ends before the first one found (not included) and " +
            "finish_reason is stop.",
            Of(JsonSchemaType.String),
            ArrayOf(Of(JsonSchemaType.String)),
            Of(JsonSchemaType.Null));
        schema.Properties["response_format"] = ResponseFormatSchema.Create("max_tokens");
        if (schema.Properties.TryGetValue("remasking", out IOpenApiSchema? remasking) && remasking is OpenApiSchema { Description: null } values)
        {
            values.Description =
                "Diffusion extension: which masked positions each step commits: low_confidence (the most confident " +
                "predictions; default), random, margin (top-1 minus top-2 probability), entropy (lowest entropy first), " +
                "or origin (Dream's default: each masked position revealed independently with probability 1 - s/t of the " +
                "timestep schedule, all that remain on a block's last step).";
        }

        return Task.CompletedTask;
    }

    private static OpenApiSchema Of(JsonSchemaType type) => new() { Type = type };

    private static OpenApiSchema ArrayOf(OpenApiSchema items) => new() { Type = JsonSchemaType.Array, Items = items };

    private static OpenApiSchema OneOf(string? description, params IOpenApiSchema[] choices) =>
        new() { Description = description, OneOf = [.. choices] };
}
