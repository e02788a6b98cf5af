using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// The OpenAPI document's request schemas allow null exactly where the server takes it: a client generated from the
/// document may send null for an optional field (the OpenAI SDKs serialise unset options that way in some languages),
/// and a validator must not refuse what the server answers.
/// </summary>
[Trait("Engine", "Real")]
public sealed class RequestSchemaNullabilityTests(EmbeddedModelFixture fixture) : IClassFixture<EmbeddedModelFixture>
{
    [Theory]
    [InlineData("/v1/completions", "CompletionRequestDocument", """{"prompt": "Hello", "max_tokens": 2}""")]
    [InlineData("/v1/chat/completions", "ChatCompletionRequestDocument", """{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2}""")]
    [InlineData("/tokenize", "TokenizeRequestDocument", """{"prompt": "Hello"}""")]
    [InlineData("/tokenize", "TokenizeRequestDocument", """{"messages": [{"role": "user", "content": "Hi"}]}""")]
    [InlineData("/detokenize", "DetokenizeRequestDocument", """{"tokens": [1, 2]}""")]
    public async Task RequestSchema_EachOptionalFieldSentAsNull_AllowsNullExactlyWhereTheServerTakesIt(string path, string schemaName, string validBody)
    {
        JsonObject document = await DocumentAsync();
        JsonObject schemas = document["components"]!["schemas"]!.AsObject();
        var mismatches = new List<string>();
        foreach ((string field, JsonNode? schema) in schemas[schemaName]!["properties"]!.AsObject())
        {
            JsonObject without = JsonNode.Parse(validBody)!.AsObject();
            without.Remove(field);
            if (!await AnswersAsync(path, without))
            {
                continue; // required in this body: whether null may stand for it is another body's question
            }

            JsonObject withNull = JsonNode.Parse(validBody)!.AsObject();
            withNull[field] = null;
            bool answered = await AnswersAsync(path, withNull);
            bool allowsNull = AllowsNull(schema!, schemas);
            if (answered != allowsNull)
            {
                mismatches.Add($"{field}: the server {(answered ? "takes" : "refuses")} null, the schema {(allowsNull ? "allows" : "refuses")} it");
            }
        }

        Assert.Empty(mismatches);
    }

    [Theory]
    [InlineData("content")]
    [InlineData("name")]
    public async Task ChatMessageSchema_AnAssistantMessageFieldSentAsNull_IsAllowedWhereTheServerAnswers(string field)
    {
        JsonObject document = await DocumentAsync();
        JsonObject schemas = document["components"]!["schemas"]!.AsObject();
        JsonNode message = schemas["ChatCompletionRequestDocument"]!["properties"]!["messages"]!["items"]!;
        var assistant = new JsonObject { ["role"] = "assistant", ["content"] = "Hello.", [field] = null };
        var body = new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }, assistant, new JsonObject { ["role"] = "user", ["content"] = "And?" }),
            ["max_tokens"] = 2,
        };

        Assert.True(await AnswersAsync("/v1/chat/completions", body), $"the server refuses an assistant message's {field}: null");
        Assert.True(AllowsNull(message["properties"]![field]!, schemas), $"the schema refuses an assistant message's {field}: null");
    }

    private async Task<JsonObject> DocumentAsync()
    {
        using HttpResponseMessage response = await fixture.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonObjectAsync();
    }

    private async Task<bool> AnswersAsync(string path, JsonObject body)
    {
        using var content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await fixture.Client.PostAsync(new Uri(path, UriKind.Relative), content);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{path} with {body.ToJsonString()}: {(int)response.StatusCode}");
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Whether <paramref name="schema"/> lets a value be null; a schema with no constraint allows anything.</summary>
    private static bool AllowsNull(JsonNode schema, JsonObject schemas) =>
        schema["type"] switch
        {
            JsonArray types => types.Any(t => (string?)t == "null"),
            JsonValue type => (string?)type == "null",
            _ when schema["oneOf"] is JsonArray alternatives => alternatives.Any(a => AllowsNull(a!, schemas)),
            _ when schema["$ref"] is JsonValue reference => AllowsNull(schemas[((string)reference!).Split('/')[^1]]!, schemas),
            _ when schema["enum"] is JsonArray values => values.Any(v => v is null),
            _ => true,
        };
}
