using Quicksilver.Engine;
using Quicksilver.Engine.Constraints;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tokenization.ChatTemplates;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Chat;

/// <summary>
/// Turns a parsed chat request into the engine's <see cref="GenerationRequest"/> for one model: renders the messages
/// with the model's chat template, tokenises the text (the template's special tokens become their ids; the model's
/// <see cref="ServedModel.PromptSpecialTokens"/> are added only with <c>add_special_tokens</c>, as in vLLM) and checks
/// that prompt and answer fit the context and the limits.
/// </summary>
internal static class ChatPlanner
{
    public static GenerationRequest Plan(ChatRequest request, ServedModel model, LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(limits);

        IReadOnlyList<int> prompt = PromptTokens(request, model);
        int context = model.ContextLength;
        if (prompt.Count >= context)
        {
            throw ApiErrorException.BadRequest(
                $"This model's maximum context length is {context} tokens, but your messages resulted in {prompt.Count} tokens; " +
                "they must leave room for at least one generated token. Please reduce the length of the messages.",
                "messages");
        }

        if (limits.MaxPromptTokens is { } maxPrompt && prompt.Count > maxPrompt)
        {
            throw ApiErrorException.BadRequest(
                $"Your messages resulted in {prompt.Count} tokens, more than this server's limit of {maxPrompt}.", "messages");
        }

        // As in OpenAI's API, no max_completion_tokens means as much as the context has room for, here also within the
        // server's limit and, as vLLM does, the model's max_new_tokens: a diffusion model's canvas is the whole budget,
        // so every step costs the budget, not the answer.
        var defaults = SamplingDefaults.For(model.Generation);
        int maxTokens = request.MaxTokens ?? Math.Min(DefaultMaxTokensCeiling(limits, defaults), context - prompt.Count);
        if ((long)prompt.Count + maxTokens > context)
        {
            throw ApiErrorException.BadRequest(
                $"This model's maximum context length is {context} tokens. However, you requested {(long)prompt.Count + maxTokens} tokens " +
                $"({prompt.Count} in the messages, {maxTokens} for the completion). Please reduce the length of the messages or '{request.MaxTokensParam}'.",
                request.MaxTokensParam);
        }

        return request.Decoding.ToGenerationRequest(prompt, maxTokens, request.Seed, defaults, model.Tokenizer.VocabSize) with
        {
            Constraint = request.Tools.Forced is { } names ? TokenConstraints.ToolCall(model.TokenTexts, names)
                : request.ResponseFormat is { } grammar ? TokenConstraints.Json(model.TokenTexts, grammar)
                : null,
        };
    }

    /// <summary>
    /// The most answer tokens a chat request that names no <c>max_completion_tokens</c> gets, whatever its prompt:
    /// the server's limit, and the model's <c>max_new_tokens</c> when it names one (the room the context has left
    /// may cap it further). The gateway debits it from a tenant whose client left before the usage came.
    /// </summary>
    public static int DefaultMaxTokensCeiling(LimitsOptions limits, SamplingDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(defaults);
        return Math.Min(limits.MaxTokens, defaults.MaxNewTokens ?? int.MaxValue);
    }

    /// <summary>
    /// The prompt's ids: the rendered conversation tokenised, with the model's <see cref="ServedModel.PromptSpecialTokens"/>
    /// around it only with <c>add_special_tokens</c>.
    /// </summary>
    public static IReadOnlyList<int> PromptTokens(ChatRequest request, ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        IReadOnlyList<int> prompt = model.Tokenizer.Encode(Render(request, model));
        return request.AddSpecialTokens ? model.PromptSpecialTokens.Around(prompt) : prompt;
    }

    /// <summary>
    /// The prompt text: the tools offered, the conversation and the opening of the assistant's turn (without
    /// <c>add_generation_prompt</c>, not that; with <c>continue_final_message</c>, the last message left open instead).
    /// Tools offered to a model whose template does not describe them are a 400.
    /// </summary>
    public static string Render(ChatRequest request, ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        IChatTemplate template = model.ChatTemplate ?? throw ApiErrorException.BadRequest(
            $"The model `{model.Id}` has no chat template (its tokenizer_config.json has no 'chat_template'), so it cannot " +
            "serve chat completions; send the prompt text to /v1/completions instead.",
            null);
        if (request.Tools.Active && template.ToolCalls == ToolCallSyntax.None)
        {
            throw ApiErrorException.BadRequest(
                $"The model `{model.Id}` cannot call tools: its chat template does not describe them to it. Leave 'tools' out " +
                "or set 'tool_choice' to 'none'.",
                ChatToolsParser.Tools);
        }

        try
        {
            return template.Render(request.Messages, request.AddGenerationPrompt, request.ContinueFinalMessage, request.TemplateVariables, request.Tools.Offered);
        }
        catch (ChatTemplateException exception)
        {
            // The template refused this conversation (roles that do not alternate, a role it does not know), as
            // transformers' apply_chat_template would: the caller's to change.
            string verdict = exception.RaisedByTemplate ? "refused" : "failed on";
            throw ApiErrorException.BadRequest($"The model's chat template {verdict} these messages: {exception.Message}", "messages");
        }
    }
}
