using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE, REAL MODEL FOLDER: <c>/tokenize</c> and <c>/detokenize</c> with the committed model's byte-level BPE
/// tokenizer and LLaMA-3-style chat template (its BOS is <c>&lt;|startoftext|&gt;</c>): text survives the round trip (multi-byte characters too), and a chat's count is
/// the prompt_tokens its chat completion bills.
/// </summary>
[Trait("Engine", "Real")]
public sealed class TokenizerApiEmbeddedModelTests(EmbeddedModelFixture fixture) : IClassFixture<EmbeddedModelFixture>
{
    [Theory]
    [InlineData("And God said unto Moses,")]
    [InlineData("Héllo, 世界 🙂")]
    public async Task DetokenizeOfTokenize_IsTheText(string text)
    {
        JsonObject tokenized = await OkAsync("/tokenize", new JsonObject { ["prompt"] = text, ["add_special_tokens"] = false, ["return_token_strs"] = true });
        JsonObject detokenized = await OkAsync("/detokenize", new JsonObject { ["tokens"] = tokenized["tokens"]!.DeepClone() });

        Assert.Equal(text, (string?)detokenized["prompt"]);
        Assert.Equal(tokenized["tokens"]!.AsArray().Count, (int?)tokenized["count"]);
        Assert.Equal(tokenized["tokens"]!.AsArray().Count, tokenized["token_strs"]!.AsArray().Count);
    }

    [Fact]
    public async Task Tokenize_Messages_CountsWhatTheChatCompletionBills()
    {
        var messages = new JsonArray(new JsonObject { ["role"] = "system", ["content"] = "Be brief." }, new JsonObject { ["role"] = "user", ["content"] = "Who spoke?" });

        JsonObject tokenized = await OkAsync("/tokenize", new JsonObject { ["messages"] = messages.DeepClone() });
        using HttpResponseMessage chat = await fixture.Client.PostChatCompletionAsync(new JsonObject { ["messages"] = messages.DeepClone(), ["max_completion_tokens"] = 2 });
        string detokenized = (string)(await OkAsync("/detokenize", new JsonObject { ["tokens"] = tokenized["tokens"]!.DeepClone() }))["prompt"]!;

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal((int?)(await chat.ReadJsonObjectAsync())["usage"]!["prompt_tokens"], (int?)tokenized["count"]);
        Assert.StartsWith("<|startoftext|><|start_header_id|>system<|end_header_id|>", detokenized, StringComparison.Ordinal);
        Assert.EndsWith("<|start_header_id|>assistant<|end_header_id|>\n\n", detokenized, StringComparison.Ordinal);
    }

    private async Task<JsonObject> OkAsync(string path, JsonObject body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await fixture.Client.PostAsync(new Uri(path, UriKind.Relative), content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }
}
