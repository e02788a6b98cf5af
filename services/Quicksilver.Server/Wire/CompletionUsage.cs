namespace Quicksilver.Server.Wire;

/// <summary>
/// What a completion used: its tokens, and (Quicksilver's extensions) the device time it was charged, that time's
/// cost and the denoising steps it took. Each step's measured wall time on the device is shared among the sequences of its batch by the tokens each
/// fed the forward pass; a request is charged the shares of all its choices.
/// </summary>
/// <param name="PromptTokens">Tokens in the prompt (counted once, however many choices).</param>
/// <param name="CompletionTokens">Answer tokens the engine finalised (up to the end-of-sequence token), over all choices.</param>
/// <param name="TotalTokens">The sum of both.</param>
/// <param name="GpuSeconds">Device seconds attributed to the request: the sum over its choices of their shares of the steps they took part in.</param>
/// <param name="CostUsd">gpu_seconds × the pod's price per GPU hour (Quicksilver:Metering:GpuHourPriceUsd) / 3600, in US dollars; 0 when no price is configured.</param>
/// <param name="DenoisingSteps">Forward passes the request's choices took, summed: completion_tokens / denoising_steps is the tokens a step committed, the speed-up of parallel decoding over one token per pass.</param>
internal sealed record CompletionUsage(int PromptTokens, int CompletionTokens, int TotalTokens, double GpuSeconds, double CostUsd, int DenoisingSteps);
