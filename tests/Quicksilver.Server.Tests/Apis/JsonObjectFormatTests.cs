using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Quicksilver.Engine.Constraints;
using Quicksilver.Engine.Constraints.Json;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE, the trained embedded model: <c>response_format</c> <c>json_object</c> on chat and completions, and
/// <c>json_schema</c>. The model was trained on verses, not JSON: the constraint alone makes each answer a JSON object
/// (finish_reason <c>stop</c>, where it closes) or, when the budget runs out first, the start of one (<c>length</c>);
/// a stream says the same over its chunks. Under a schema the answer has the schema's keys, in order, and values.
/// </summary>
[Trait("Engine", "Real")]
public sealed class JsonObjectFormatTests(EmbeddedModelFixture fixture) : IClassFixture<EmbeddedModelFixture>
{
    [Theory]
    [InlineData(0f, 7)]
    [InlineData(1f, 8)]
    public async Task JsonObjectFormat_AnswerIsAnObject_OrTheStartOfOneCutByItsBudget(float temperature, int seed)
    {
        JsonObject body = Body(temperature, seed);
        body["logprobs"] = true;
        JsonObject completion = await ChatAsync(body);
        JsonNode choice = completion["choices"]![0]!;
        (string content, string finish) = ((string)choice["message"]!["content"]!, (string)choice["finish_reason"]!);

        AssertObjectOrItsStart(content, finish);
        // Every answer token is listed, and no end token was written: a closed object is not one token longer.
        Assert.Equal(choice["logprobs"]!["content"]!.AsArray().Count, OpenAIAssert.Usage(completion["usage"]).Completion);
    }

    [Fact]
    public async Task JsonObjectFormat_BiasedToTheBraces_AnswersAnEmptyObject_TwoTokensWithNoEndToken()
    {
        JsonObject body = Body(0, 7);
        var bias = new JsonObject();
        foreach (string brace in new[] { "{", "}" })
        {
            bias[Assert.Single(fixture.Factory.Model.Tokenizer.Encode(brace)).ToString(System.Globalization.CultureInfo.InvariantCulture)] = 100;
        }

        body["logit_bias"] = bias;
        JsonObject completion = await ChatAsync(body);

        Assert.Equal(("{}", "stop"), ChatAssert.Choice(completion["choices"]![0]));
        Assert.Equal(2, OpenAIAssert.Usage(completion["usage"]).Completion);
    }

    [Fact]
    public async Task JsonObjectFormat_OnCompletions_AnswerIsAnObject_OrTheStartOfOne()
    {
        var body = new JsonObject
        {
            ["model"] = fixture.Factory.Model.Id,
            ["prompt"] = "In the beginning",
            ["max_tokens"] = 32,
            ["temperature"] = 0,
            ["response_format"] = new JsonObject { ["type"] = "json_object" },
        };

        using HttpResponseMessage response = await fixture.Client.PostAsJsonAsync(new Uri("/v1/completions", UriKind.Relative), body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonNode choice = (await response.ReadJsonObjectAsync())["choices"]![0]!;
        AssertObjectOrItsStart((string)choice["text"]!, (string)choice["finish_reason"]!);
    }

    [Fact]
    public async Task JsonObjectFormatStreamed_SameAnswerAsNotStreamed()
    {
        JsonNode? whole = (await ChatAsync(Body(0, 7)))["choices"]![0];
        JsonObject body = Body(0, 7);
        body["stream"] = true;

        using HttpResponseMessage response = await fixture.Client.PostChatCompletionAsync(body);
        (string content, string finish, _) = ChatAssert.Stream(OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync())), fixture.Factory.Model.Id, includeUsage: false);

        Assert.Equal(ChatAssert.Choice(whole), (content, finish));
    }

    [Theory]
    [InlineData(0f, 7)]
    [InlineData(1f, 8)]
    [InlineData(1f, 9)]
    public async Task JsonSchemaFormat_AnswerIsAnObjectTheSchemaAllows(float temperature, int seed)
    {
        JsonObject body = Body(temperature, seed);
        body["max_completion_tokens"] = 64;
        body["response_format"] = new JsonObject { ["type"] = "json_schema", ["json_schema"] = new JsonObject { ["name"] = "day", ["strict"] = true, ["schema"] = JsonNode.Parse(DaySchema) } };
        JsonNode choice = (await ChatAsync(body))["choices"]![0]!;
        (string content, string finish) = ((string)choice["message"]!["content"]!, (string)choice["finish_reason"]!);

        using JsonDocument schema = JsonDocument.Parse(DaySchema);
        var cursor = new JsonCursor(JsonGrammar.FromSchema(schema.RootElement));
        Assert.True(cursor.Step(Encoding.UTF8.GetBytes(content)), $"not the start of an answer the schema allows: {content}");
        // The schema's answer fits its budget (whitespace comes one byte at a time): the model, trained on verses, closes it.
        Assert.True(cursor.IsComplete, $"not a whole answer: {content}");
        Assert.Equal("stop", finish);
        JsonObject answer = JsonNode.Parse(content)!.AsObject();
        Assert.Equal(["day", "light", "words"], answer.Select(property => property.Key));
        Assert.Equal(JsonValueKind.Number, answer["day"]!.GetValueKind());
        Assert.Contains((string?)answer["light"], new[] { "on", "off" });
        Assert.InRange(answer["words"]!.AsArray().Count, 0, 2);
        Assert.All(answer["words"]!.AsArray(), word => Assert.InRange(((string)word!).Length, 0, 8));
    }

    [Fact]
    public async Task JsonSchemaFormat_ItCannotEnforce_Is400NamingTheKeywordAndWhere()
    {
        JsonObject body = Body(0, 7);
        body["response_format"] = new JsonObject
        {
            ["type"] = "json_schema",
            ["json_schema"] = new JsonObject { ["name"] = "zip", ["schema"] = JsonNode.Parse("""{"type": "object", "properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}}}""") },
        };

        using HttpResponseMessage response = await fixture.Client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonNode error = (await response.ReadJsonObjectAsync())["error"]!;
        Assert.Equal("response_format", (string?)error["param"]);
        Assert.Equal(
            "Invalid schema for response_format 'zip': 'pattern' is not enforced by this server, so it is refused rather than ignored (at '#/properties/zip').",
            (string?)error["message"]);
    }

    private static void AssertObjectOrItsStart(string content, string finish)
    {
        var cursor = JsonCursor.AnyObject;
        Assert.True(cursor.Step(Encoding.UTF8.GetBytes(content)), $"not the start of a JSON object: {content}");
        Assert.Equal(cursor.IsComplete ? "stop" : "length", finish);
        if (cursor.IsComplete)
        {
            Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(content).RootElement.ValueKind);
        }
    }

    private const string DaySchema = """
        {"type": "object", "additionalProperties": false, "required": ["day", "light", "words"], "properties": {
          "day": {"type": "integer"},
          "light": {"enum": ["on", "off"]},
          "words": {"type": "array", "items": {"type": "string", "maxLength": 8}, "maxItems": 2}}}
        """;

    private JsonObject Body(float temperature, int seed) => new()
    {
        ["model"] = fixture.Factory.Model.Id,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Describe the first day as JSON." }),
        ["max_completion_tokens"] = 32,
        ["temperature"] = temperature,
        ["seed"] = seed,
        ["response_format"] = new JsonObject { ["type"] = "json_object" },
    };

    private async Task<JsonObject> ChatAsync(JsonObject body)
    {
        using HttpResponseMessage response = await fixture.Client.PostChatCompletionAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonObjectAsync();
    }
}
