using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tokenization.ChatTemplates;
using Quicksilver.Server.Chat;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Chat.Tests;

/// <summary>REAL MODEL: the prompt the planner builds from the embedded model, loaded by <see cref="ServedModelLoader"/>.</summary>
[Trait("Engine", "Real")]
public sealed class ChatPlannerTests
{
    [Fact]
    public void Plan_EmbeddedModel_PromptIsTheTemplateRenderingTokenisedWithItsSpecialTokenIds()
    {
        using ServedModel model = ServedModelLoader.Load(RepositoryFolders.EmbeddedModel, new EngineOptions { Backend = "cpu", Threads = 1 }, NullLoggerFactory.Instance);
        var request = new ChatRequest { Messages = [new(ChatRoles.System, ChatConversation.System), new(ChatRoles.User, ChatConversation.User)], MaxTokens = 8 };

        GenerationRequest generation = ChatPlanner.Plan(request, model, new LimitsOptions());

        Assert.Equal(ChatConversation.RenderedPrompt, ChatPlanner.Render(request, model));
        Assert.Equal(model.Tokenizer.Encode(ChatConversation.RenderedPrompt), generation.PromptTokens);
        Assert.Equal(model.Tokenizer.TokenToId("<|startoftext|>"), generation.PromptTokens[0]);
        Assert.Equal(3, generation.PromptTokens.Count(id => id == model.Tokenizer.TokenToId("<|start_header_id|>")));
        Assert.Equal(2, generation.PromptTokens.Count(id => id == model.Tokenizer.TokenToId("<|eot_id|>")));
        Assert.Equal(ChatConversation.RenderedPrompt, model.Tokenizer.Decode(generation.PromptTokens, skipSpecialTokens: false));
        Assert.Equal(8, generation.MaxTokens);
    }

    [Fact]
    public void Render_ConversationTheTemplateRefuses_Returns400OnMessagesInTheTemplatesWords()
    {
        using ServedModel loaded = ServedModelLoader.Load(RepositoryFolders.EmbeddedModel, new EngineOptions { Backend = "cpu", Threads = 1 }, NullLoggerFactory.Instance);
        ServedModel model = loaded with
        {
            ChatTemplate = JinjaChatTemplate.Parse(
                "{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('System messages are not supported.') }}{% endif %}{{ m.content }}{% endfor %}",
                new Dictionary<string, string>()),
        };
        var request = new ChatRequest { Messages = [new(ChatRoles.System, ChatConversation.System), new(ChatRoles.User, ChatConversation.User)] };

        var exception = Assert.Throws<ApiErrorException>(() => ChatPlanner.Render(request, model));

        Assert.Equal((400, "messages"), (exception.Error.StatusCode, exception.Error.Param));
        Assert.Equal("The model's chat template refused these messages: System messages are not supported.", exception.Error.Message);
    }

    [Fact]
    public void Render_NamesAndChatTemplateKwargs_ReachTheTemplate_WhichCannotLoseItsMessagesOrEnding()
    {
        using ServedModel loaded = ServedModelLoader.Load(RepositoryFolders.EmbeddedModel, new EngineOptions { Backend = "cpu", Threads = 1 }, NullLoggerFactory.Instance);
        ServedModel model = loaded with
        {
            ChatTemplate = JinjaChatTemplate.Parse(
                "{% for m in messages %}{{ m.role }}:{{ m.name }}:{{ m.content }}|{% endfor %}{{ enable_thinking }}|{{ add_generation_prompt }}|{{ extra.depth }}",
                new Dictionary<string, string>()),
        };
        var request = new ChatRequest
        {
            Messages = [new(ChatRoles.User, "Hi", "bob"), new(ChatRoles.Assistant, "Hello")],
            TemplateVariables = new Dictionary<string, object?>
            {
                ["enable_thinking"] = false,
                ["extra"] = new Dictionary<string, object?> { ["depth"] = 2L },
                ["messages"] = "replaced",
                ["add_generation_prompt"] = "replaced",
            },
        };

        Assert.Equal("user:bob:Hi|assistant::Hello|False|True|2", ChatPlanner.Render(request, model));
    }

    [Fact]
    public void Plan_MaxPromptTokensExceeded_Returns400OnMessages()
    {
        using ServedModel model = ServedModelLoader.Load(RepositoryFolders.EmbeddedModel, new EngineOptions { Backend = "cpu", Threads = 1 }, NullLoggerFactory.Instance);
        var request = new ChatRequest { Messages = [new(ChatRoles.User, ChatConversation.User)] };

        var exception = Assert.Throws<ApiErrorException>(() => ChatPlanner.Plan(request, model, new LimitsOptions { MaxPromptTokens = 4 }));

        Assert.Equal((400, "messages"), (exception.Error.StatusCode, exception.Error.Param));
    }
}
