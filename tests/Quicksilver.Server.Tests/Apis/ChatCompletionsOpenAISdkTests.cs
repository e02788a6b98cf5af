using System.ClientModel;
using System.Text;
using OpenAI;
using OpenAI.Chat;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE over a real socket: the official OpenAI .NET SDK's <see cref="ChatClient"/>, unmodified, against the
/// embedded model; it must parse our answers (text, finish reason, usage).
/// </summary>
[Trait("Engine", "Real")]
public sealed class ChatCompletionsOpenAISdkTests(EmbeddedModelKestrelFixture fixture) : IClassFixture<EmbeddedModelKestrelFixture>
{
    private ChatClient Client => new(
        EmbeddedModelFixture.ModelId,
        new ApiKeyCredential("not-checked"),
        new OpenAIClientOptions { Endpoint = fixture.Endpoint });

    private static ChatMessage[] Messages => [new SystemChatMessage(ChatConversation.System), new UserChatMessage(ChatConversation.User)];

    private static ChatCompletionOptions Options => new() { MaxOutputTokenCount = EmbeddedModelKestrelFixture.MaxTokens, Temperature = 0 };

    [Fact]
    public async Task CompleteChat_EmbeddedModel_ParsesTextFinishReasonAndUsage()
    {
        ClientResult<ChatCompletion> result = Client.CompleteChat(Messages, Options);

        ChatCompletion completion = result.Value;
        (string content, string finish, int prompt, int generated) = await fixture.CompleteOverHttpAsync();
        Assert.StartsWith("chatcmpl-", completion.Id, StringComparison.Ordinal);
        Assert.Equal(EmbeddedModelFixture.ModelId, completion.Model);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(content, Assert.Single(completion.Content).Text);
        Assert.Equal(finish == "stop" ? ChatFinishReason.Stop : ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(fixture.PromptTokens, completion.Usage.InputTokenCount);
        Assert.Equal((prompt, generated), (completion.Usage.InputTokenCount, completion.Usage.OutputTokenCount));
        Assert.Equal(prompt + generated, completion.Usage.TotalTokenCount);
        Assert.InRange(generated, 0, EmbeddedModelKestrelFixture.MaxTokens);
    }

    [Fact]
    public void CompleteChat_LogitBiases_SentAsTheSdkWritesThemAndApplied()
    {
        int lord = Assert.Single(fixture.Server.Factory.Model.Tokenizer.Encode(" LORD"));
        ChatCompletionOptions options = Options;
        options.LogitBiases.Add(lord, 100);

        ChatCompletion completion = Client.CompleteChat(Messages, options).Value;

        Assert.Equal(string.Concat(Enumerable.Repeat(" LORD", EmbeddedModelKestrelFixture.MaxTokens)), Assert.Single(completion.Content).Text);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
    }

    [Fact]
    public void CompleteChat_IncludeLogProbabilities_ParsesOneEntryPerToken()
    {
        ChatCompletionOptions options = Options;
        options.IncludeLogProbabilities = true;

        ChatCompletion completion = Client.CompleteChat([new UserChatMessage("And God said")], options).Value; // answered with text, unlike Messages

        Assert.NotEmpty(completion.ContentTokenLogProbabilities);
        Assert.Equal(Assert.Single(completion.Content).Text, string.Concat(completion.ContentTokenLogProbabilities.Select(t => t.Token)));
        Assert.All(completion.ContentTokenLogProbabilities, t => Assert.True(t.LogProbability <= 0f));
    }

    [Fact]
    public void CompleteChat_TopLogProbabilityCount_ParsesTheAlternativesOfEachToken()
    {
        ChatCompletionOptions options = Options;
        options.IncludeLogProbabilities = true;
        options.TopLogProbabilityCount = 3;

        ChatCompletion completion = Client.CompleteChat([new UserChatMessage("And God said")], options).Value;

        Assert.NotEmpty(completion.ContentTokenLogProbabilities);
        Assert.All(completion.ContentTokenLogProbabilities, t =>
        {
            Assert.Equal(3, t.TopLogProbabilities.Count);
            Assert.Equal((t.Token, t.LogProbability), (t.TopLogProbabilities[0].Token, t.TopLogProbabilities[0].LogProbability)); // greedy
            Assert.Equal(t.Utf8Bytes?.ToArray(), t.TopLogProbabilities[0].Utf8Bytes?.ToArray());
        });
    }

    [Fact]
    public async Task CompleteChatStreaming_EmbeddedModel_ParsesRoleTextFinishReasonAndUsage()
    {
        var text = new StringBuilder();
        var roles = new List<ChatMessageRole>();
        var finishes = new List<ChatFinishReason>();
        ChatTokenUsage? usage = null;
        var ids = new HashSet<string>();

        foreach (StreamingChatCompletionUpdate update in Client.CompleteChatStreaming(Messages, Options))
        {
            ids.Add(update.CompletionId);
            if (update.Role is { } role)
            {
                roles.Add(role);
            }

            foreach (ChatMessageContentPart part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            if (update.FinishReason is { } finish)
            {
                finishes.Add(finish);
            }

            usage = update.Usage ?? usage;
        }

        (string content, string expectedFinish, int prompt, int generated) = await fixture.CompleteOverHttpAsync();
        Assert.StartsWith("chatcmpl-", Assert.Single(ids), StringComparison.Ordinal);
        Assert.Equal([ChatMessageRole.Assistant], roles);
        Assert.Equal(content, text.ToString());
        Assert.Equal([expectedFinish == "stop" ? ChatFinishReason.Stop : ChatFinishReason.Length], finishes);
        Assert.NotNull(usage);
        Assert.Equal(fixture.PromptTokens, usage.InputTokenCount);
        Assert.Equal((prompt, generated, prompt + generated), (usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount));
    }
}
