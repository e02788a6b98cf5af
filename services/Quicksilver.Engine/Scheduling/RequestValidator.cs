using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Scheduling;

/// <summary>Checks a request against the model; failures are <see cref="InvalidRequestException"/>s naming the field.</summary>
internal static class RequestValidator
{
    public static void Validate(GenerationRequest request, ModelConfig config)
    {
        if (request.PromptTokens is null || request.PromptTokens.Count == 0)
        {
            throw new InvalidRequestException("prompt", "The prompt is empty.");
        }

        foreach (int token in request.PromptTokens)
        {
            if ((uint)token >= (uint)config.VocabSize)
            {
                throw new InvalidRequestException("prompt", $"Prompt token {token} is outside the vocabulary [0, {config.VocabSize}).");
            }
        }

        if (request.MaxTokens < 1)
        {
            throw new InvalidRequestException("max_tokens", $"max_tokens must be at least 1, not {request.MaxTokens}.");
        }

        ValidateSuffix(request.SuffixTokens, config);
        if ((long)request.InputTokenCount + request.MaxTokens > config.MaxSequenceLength)
        {
            throw new InvalidRequestException(
                "max_tokens",
                request.SuffixTokens.Count == 0
                    ? $"The prompt ({request.PromptTokens.Count} tokens) plus max_tokens ({request.MaxTokens}) exceeds the context length of {config.MaxSequenceLength}."
                    : $"The prompt ({request.PromptTokens.Count} tokens), max_tokens ({request.MaxTokens}) and the suffix ({request.SuffixTokens.Count} tokens) exceed the context length of {config.MaxSequenceLength}.");
        }

        if (request.Steps is < 1)
        {
            throw new InvalidRequestException("steps", $"steps must be at least 1, not {request.Steps}.");
        }

        if (request.BlockLength is < 1)
        {
            throw new InvalidRequestException("block_length", $"block_length must be at least 1, not {request.BlockLength}.");
        }

        ValidateCommitRule(request);

        if (!(request.Temperature >= 0f) || float.IsInfinity(request.Temperature))
        {
            throw new InvalidRequestException("temperature", $"temperature must be a finite number ≥ 0, not {request.Temperature}.");
        }

        if (!(request.TopP > 0 && request.TopP <= 1))
        {
            throw new InvalidRequestException("top_p", $"top_p must be in (0, 1], not {request.TopP}.");
        }

        if (request.TopK < 0)
        {
            throw new InvalidRequestException("top_k", $"top_k must be ≥ 0 (0 disables it), not {request.TopK}.");
        }

        if (!(request.AlgorithmTemperature >= 0) || double.IsInfinity(request.AlgorithmTemperature))
        {
            throw new InvalidRequestException("alg_temp", $"alg_temp must be a finite number ≥ 0, not {request.AlgorithmTemperature}.");
        }

        ValidateLogitBias(request.LogitBias, config);
        if (request.Constraint is { } constraint && constraint.VocabularySize < config.VocabSize)
        {
            throw new InvalidRequestException(
                "response_format",
                $"The output constraint judges {constraint.VocabularySize} token ids; the model scores {config.VocabSize}, and every id must be judged.");
        }

        foreach ((string param, double penalty) in new[] { ("presence_penalty", request.PresencePenalty), ("frequency_penalty", request.FrequencyPenalty) })
        {
            if (!(Math.Abs(penalty) <= 2))
            {
                throw new InvalidRequestException(param, $"{param} must be in [-2, 2], not {penalty}.");
            }
        }

        // Every token but the mask is a candidate (a tiny test vocabulary may hold fewer than the wire's 20).
        int candidates = Math.Min(TokenLogprob.MaxAlternatives, config.VocabSize - 1);
        if (request.TopLogprobs < 0 || request.TopLogprobs > candidates)
        {
            throw new InvalidRequestException("top_logprobs", $"top_logprobs must be in [0, {candidates}], not {request.TopLogprobs}.");
        }
    }

    private static void ValidateSuffix(IReadOnlyList<int> suffix, ModelConfig config)
    {
        if (suffix is not { Count: > 0 })
        {
            return;
        }

        if (config.AttentionBlockLength > 0)
        {
            throw new InvalidRequestException(
                "suffix",
                $"This model attends block-causally (blocks of {config.AttentionBlockLength}): an answer cannot see a suffix after it, so it cannot fill in the middle. Leave 'suffix' out.");
        }

        foreach (int token in suffix)
        {
            if ((uint)token >= (uint)config.VocabSize)
            {
                throw new InvalidRequestException("suffix", $"Suffix token {token} is outside the vocabulary [0, {config.VocabSize}).");
            }
        }
    }

    private static void ValidateLogitBias(IReadOnlyList<TokenBias> biases, ModelConfig config)
    {
        var seen = new HashSet<int>();
        foreach (TokenBias bias in biases ?? [])
        {
            if ((uint)bias.Token >= (uint)config.VocabSize)
            {
                throw new InvalidRequestException("logit_bias", $"logit_bias names token {bias.Token}, which is outside the vocabulary [0, {config.VocabSize}).");
            }

            // The mask is never drawn (it counts only in the plain softmax): a bias on it would only rescale confidences.
            if (bias.Token == config.MaskTokenId)
            {
                throw new InvalidRequestException("logit_bias", $"logit_bias names token {bias.Token}, the model's mask token, which is never generated.");
            }

            if (!(Math.Abs(bias.Bias) <= TokenBias.Limit))
            {
                throw new InvalidRequestException("logit_bias", $"The logit_bias of token {bias.Token} must be in [-100, 100], not {bias.Bias}.");
            }

            if (!seen.Add(bias.Token))
            {
                throw new InvalidRequestException("logit_bias", $"logit_bias names token {bias.Token} more than once.");
            }
        }
    }

    private static void ValidateCommitRule(GenerationRequest request)
    {
        switch (request.Commit)
        {
            case CommitRule.Threshold when !(request.CommitParameter > 0 && request.CommitParameter <= 1):
                throw new InvalidRequestException("threshold", $"threshold must be in (0, 1], not {request.CommitParameter}.");
            case CommitRule.Factor when !(request.CommitParameter > 0) || double.IsInfinity(request.CommitParameter):
                throw new InvalidRequestException("factor", $"factor must be a finite number > 0, not {request.CommitParameter}.");
            case CommitRule.Threshold or CommitRule.Factor when request.Remasking != RemaskingStrategy.LowConfidence:
                throw new InvalidRequestException(
                    "remasking",
                    "threshold and factor decoding compare token probabilities, so they need remasking \"low_confidence\".");
        }
    }
}
