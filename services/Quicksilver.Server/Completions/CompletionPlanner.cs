using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Completions;

/// <summary>
/// Turns a parsed request into the engine's <see cref="GenerationRequest"/> for one model: tokenises the prompt and
/// checks what needs the model (token ids in the vocabulary, prompt and canvas within the context and the limits).
/// </summary>
internal static class CompletionPlanner
{
    public static GenerationRequest Plan(CompletionRequest request, ServedModel model, LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(limits);

        IReadOnlyList<int> prompt = Tokenize(request.Prompt, model);
        int context = model.ContextLength;
        if (prompt.Count >= context)
        {
            throw ApiErrorException.BadRequest(
                $"This model's maximum context length is {context} tokens, but the prompt has {prompt.Count} tokens; it must leave room for at least one generated token.",
                "prompt");
        }

        if (limits.MaxPromptTokens is { } maxPrompt && prompt.Count > maxPrompt)
        {
            throw ApiErrorException.BadRequest(
                $"The prompt has {prompt.Count} tokens, more than this server's limit of {maxPrompt}.", "prompt");
        }

        // Without max_tokens the default shrinks to what the context has room for, rather than failing.
        int maxTokens = request.MaxTokens ?? Math.Min(CompletionRequest.DefaultMaxTokens, context - prompt.Count);
        if ((long)prompt.Count + maxTokens > context)
        {
            throw ApiErrorException.BadRequest(
                $"This model's maximum context length is {context} tokens. However, you requested {(long)prompt.Count + maxTokens} tokens " +
                $"({prompt.Count} in the prompt, {maxTokens} for the completion). Please reduce the prompt or 'max_tokens'.",
                "max_tokens");
        }

        return request.Decoding.ToGenerationRequest(prompt, maxTokens, request.Seed, SamplingDefaults.For(model.Generation), model.Tokenizer.VocabSize);
    }

    private static IReadOnlyList<int> Tokenize(CompletionPrompt prompt, ServedModel model)
    {
        if (prompt.TokenIds is { } ids)
        {
            int vocabSize = model.Tokenizer.VocabSize;
            for (int i = 0; i < ids.Count; i++)
            {
                if (ids[i] < 0 || ids[i] >= vocabSize)
                {
                    throw CompletionRequestParser.OutOfVocabulary(ids[i].ToString(System.Globalization.CultureInfo.InvariantCulture), i, vocabSize);
                }
            }

            return ids;
        }

        IReadOnlyList<int> tokens = model.Tokenizer.Encode(prompt.Text!);
        return tokens.Count > 0 ? tokens : throw ApiErrorException.BadRequest("'prompt' has no tokens once tokenised.", "prompt");
    }
}
