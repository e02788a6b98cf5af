using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// A model without a chat template (no <c>chat_template</c> in its <c>tokenizer_config.json</c>) loads and serves
/// completions; chat answers 400. On the fake model (<see cref="ApiFixture"/>) and on a real random-weight checkpoint
/// whose folder has no <c>tokenizer_config.json</c> at all (<see cref="TinyModelFixture"/>).
/// </summary>
public sealed class ChatCompletionsApiNoTemplateTests(ApiFixture fake, TinyModelFixture real) : IClassFixture<ApiFixture>, IClassFixture<TinyModelFixture>
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task CreateChatCompletion_ModelWithoutChatTemplate_Returns400ButCompletionsStillWork(bool realEngine, bool stream)
    {
        IApiFixture fixture = realEngine ? real : fake;
        string model = fixture.Factory.Model.Id;
        Assert.Null(fixture.Factory.Model.ChatTemplate);

        using HttpResponseMessage chat = await fixture.Client.PostChatCompletionAsync(new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
            ["max_completion_tokens"] = 4,
            ["stream"] = stream,
        });
        using HttpResponseMessage completion = await fixture.Client.PostCompletionAsync(new JsonObject { ["model"] = model, ["prompt"] = "Hi", ["max_tokens"] = 4 });

        JsonObject error = await OpenAIAssert.ErrorAsync(chat, HttpStatusCode.BadRequest, "BadRequestError", null);
        Assert.Equal(
            $"The model `{model}` has no chat template (its tokenizer_config.json has no 'chat_template'), so it cannot serve chat completions; send the prompt text to /v1/completions instead.",
            error["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, completion.StatusCode);
        Assert.Empty(fixture.Factory.Logs.UnhandledExceptions);
    }
}
