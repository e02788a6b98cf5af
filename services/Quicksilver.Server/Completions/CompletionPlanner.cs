using Quicksilver.Engine;
using Quicksilver.Engine.Constraints;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tokenization;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Completions;

/// <summary>
/// Turns a parsed request into the engine's <see cref="GenerationRequest"/> for one model: tokenises the prompt (a text
/// gets the model's <see cref="ServedModel.PromptSpecialTokens"/>, token ids are taken as they are) and checks what
/// needs the model (token ids in the vocabulary, prompt and canvas within the context and the limits).
/// </summary>
internal static class CompletionPlanner
{
    public static GenerationRequest Plan(CompletionRequest request, ServedModel model, LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(limits);

        // A text prompt gets the tokenizer's special tokens (unless add_special_tokens is false) around the whole canvas:
        // those after the text follow the suffix when there is one (the text goes on past the middle the model fills in).
        PromptSpecialTokens special = request.Prompt.TokenIds is null && request.AddSpecialTokens ? model.PromptSpecialTokens : PromptSpecialTokens.None;
        IReadOnlyList<int> prompt = [.. special.Prefix, .. Tokenize(request.Prompt, model)];
        IReadOnlyList<int> suffix = string.IsNullOrEmpty(request.Suffix) ? [] : [.. model.Tokenizer.Encode(request.Suffix), .. special.Suffix];
        if (suffix.Count == 0)
        {
            prompt = [.. prompt, .. special.Suffix];
        }
        int context = model.ContextLength, input = prompt.Count + suffix.Count;
        if (input >= context)
        {
            throw ApiErrorException.BadRequest(
                suffix.Count == 0
                    ? $"This model's maximum context length is {context} tokens, but the prompt has {prompt.Count} tokens; it must leave room for at least one generated token."
                    : $"This model's maximum context length is {context} tokens, but the prompt ({prompt.Count} tokens) and the suffix ({suffix.Count}) leave no room for a generated token.",
                prompt.Count >= context ? "prompt" : "suffix");
        }

        if (limits.MaxPromptTokens is { } maxPrompt && input > maxPrompt)
        {
            throw ApiErrorException.BadRequest(
                $"{(suffix.Count == 0 ? "The prompt has" : "The prompt and suffix have")} {input} tokens, more than this server's limit of {maxPrompt}.",
                prompt.Count > maxPrompt ? "prompt" : "suffix");
        }

        // Without max_tokens the default shrinks to what the context has room for, rather than failing.
        int maxTokens = request.MaxTokens ?? Math.Min(CompletionRequest.DefaultMaxTokens, context - input);
        if ((long)input + maxTokens > context)
        {
            throw ApiErrorException.BadRequest(
                $"This model's maximum context length is {context} tokens. However, you requested {(long)input + maxTokens} tokens " +
                $"({prompt.Count} in the prompt, {maxTokens} for the completion{(suffix.Count == 0 ? string.Empty : $", {suffix.Count} in the suffix")}). Please reduce the prompt or 'max_tokens'.",
                "max_tokens");
        }

        return request.Decoding.ToGenerationRequest(prompt, maxTokens, request.Seed, SamplingDefaults.For(model.Generation), model.Tokenizer.VocabSize) with
        {
            SuffixTokens = suffix,
            Constraint = request.ResponseFormat is { } grammar ? TokenConstraints.Json(model.TokenTexts, grammar) : null,
        };
    }

    /// <summary><paramref name="ids"/>, the field <paramref name="param"/>, once each is known to be in [0, <paramref name="vocabSize"/>) (a 400 naming the first that is not).</summary>
    public static IReadOnlyList<int> InVocabulary(IReadOnlyList<int> ids, int vocabSize, string param)
    {
        ArgumentNullException.ThrowIfNull(ids);
        for (int i = 0; i < ids.Count; i++)
        {
            if (ids[i] < 0 || ids[i] >= vocabSize)
            {
                throw CompletionRequestParser.OutOfVocabulary(ids[i].ToString(System.Globalization.CultureInfo.InvariantCulture), i, vocabSize, param);
            }
        }

        return ids;
    }

    private static IReadOnlyList<int> Tokenize(CompletionPrompt prompt, ServedModel model)
    {
        if (prompt.TokenIds is { } ids)
        {
            return InVocabulary(ids, model.Tokenizer.VocabSize, "prompt");
        }

        IReadOnlyList<int> tokens = model.Tokenizer.Encode(prompt.Text!);
        return tokens.Count > 0 ? tokens : throw ApiErrorException.BadRequest("'prompt' has no tokens once tokenised.", "prompt");
    }
}
