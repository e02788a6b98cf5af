using System.ClientModel;
using System.Text;
using Microsoft.Extensions.AI;
using OpenAI;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE over a real socket: Microsoft.Extensions.AI's <see cref="IChatClient"/> over the OpenAI SDK
/// (<c>OpenAIClient.GetChatClient(model).AsIChatClient()</c>), against the embedded model.
/// </summary>
[Trait("Engine", "Real")]
public sealed class ChatCompletionsExtensionsAITests(EmbeddedModelKestrelFixture fixture) : IClassFixture<EmbeddedModelKestrelFixture>
{
    private IChatClient Client =>
        new OpenAIClient(new ApiKeyCredential("not-checked"), new OpenAIClientOptions { Endpoint = fixture.Endpoint })
            .GetChatClient(EmbeddedModelFixture.ModelId)
            .AsIChatClient();

    private static ChatMessage[] Messages => [new(ChatRole.System, ChatConversation.System), new(ChatRole.User, ChatConversation.User)];

    private static ChatOptions Options => new() { MaxOutputTokens = EmbeddedModelKestrelFixture.MaxTokens, Temperature = 0 };

    [Fact]
    public async Task GetResponseAsync_EmbeddedModel_ParsesTextFinishReasonAndUsage()
    {
        using IChatClient client = Client;

        ChatResponse response = await client.GetResponseAsync(Messages, Options);

        (string content, string finish, int prompt, int generated) = await fixture.CompleteOverHttpAsync();
        Assert.NotNull(response.Text);
        Assert.Equal(content, response.Text);
        Assert.Equal(ChatRole.Assistant, Assert.Single(response.Messages).Role);
        Assert.Equal(finish == "stop" ? ChatFinishReason.Stop : ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(EmbeddedModelFixture.ModelId, response.ModelId);
        Assert.NotNull(response.Usage);
        Assert.Equal(fixture.PromptTokens, response.Usage.InputTokenCount);
        Assert.Equal((prompt, generated, prompt + generated), (response.Usage.InputTokenCount, response.Usage.OutputTokenCount, response.Usage.TotalTokenCount));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_EmbeddedModel_ParsesTextFinishReasonAndUsage()
    {
        using IChatClient client = Client;
        var updates = new List<ChatResponseUpdate>();

        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Messages, Options))
        {
            updates.Add(update);
        }

        (string content, string finish, int prompt, int generated) = await fixture.CompleteOverHttpAsync();
        Assert.Equal(content, string.Concat(updates.Select(u => u.Text)));
        // The adapter repeats the finish reason on the updates after the one that carried it (the usage update).
        Assert.Equal([finish == "stop" ? ChatFinishReason.Stop : ChatFinishReason.Length], updates.Where(u => u.FinishReason is not null).Select(u => u.FinishReason!.Value).Distinct());
        Assert.Null(updates[0].FinishReason);
        Assert.Contains(updates, u => u.Role == ChatRole.Assistant);
        UsageDetails usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Equal(fixture.PromptTokens, usage.InputTokenCount);
        Assert.Equal((prompt, generated, prompt + generated), (usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount));

        // The updates fold into one response, as an application would see it.
        ChatResponse response = updates.ToChatResponse();
        Assert.Equal(content, response.Text);
        Assert.Equal(finish == "stop" ? ChatFinishReason.Stop : ChatFinishReason.Length, response.FinishReason);
    }
}
