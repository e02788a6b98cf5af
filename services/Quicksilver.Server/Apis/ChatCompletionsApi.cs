using System.Globalization;
using System.Text.Json;
using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Chat;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Http;
using Quicksilver.Server.OpenApi;
using Quicksilver.Server.Telemetry;
using Quicksilver.Server.Tenancy;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Apis;

/// <summary>
/// <c>POST /v1/chat/completions</c>: OpenAI's chat completions. The messages are rendered with the model's chat
/// template (<see cref="ServedModel.ChatTemplate"/>), then generated and streamed exactly as completions are
/// (<see cref="CompletionChoices"/>: one <see cref="CompletionRun"/> per choice). A model without a chat template answers 400 here and still serves completions.
/// </summary>
internal static class ChatCompletionsApi
{
    public static IEndpointRouteBuilder MapChatCompletionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").WithTags("Chat");

        api.MapPost("/chat/completions", CreateChatCompletion)
            .AddEndpointFilter<LoadHeaderFilter>()
            .WithTenancy()
            .WithName("CreateChatCompletion")
            .WithSummary("Creates a model response for the given chat conversation")
            .WithDescription(
                "OpenAI-compatible chat completion. The messages are rendered with the model's chat template " +
                "(tokenizer_config.json `chat_template`; a model without one answers 400). With `stream: true` the answer " +
                "is sent as server-sent events: a first `chat.completion.chunk` whose delta is `{\"role\":\"assistant\",\"content\":\"\"}`, " +
                "one chunk per block of the diffusion canvas as soon as it is final, the finish reason on the last chunk, " +
                "then `data: [DONE]` (with `n` > 1, a role chunk per choice first, then the choices' chunks as their blocks " +
                "finish)." + GatewayContractNotes.ExtensionFields + GatewayContractNotes.Errors + GatewayContractNotes.Description)
            .AddOpenApiOperationTransformer(ChatCompletionRequestBody.DescribeAsync)
            .Produces<ChatCompletion>(StatusCodes.Status200OK, "application/json", "text/event-stream")
            .ProducesGenerationErrors();

        return app;
    }

    public static async Task<IResult> CreateChatCompletion(HttpContext context, [AsParameters] CompletionServices services)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(services);
        CancellationToken aborted = context.RequestAborted;
        LimitsOptions limits = services.Limits.Value;
        Caller caller = Caller.Of(context);
        try
        {
            ChatRequest request = await ReadRequestAsync(context.Request, limits, aborted);
            ServedModel model = services.Catalog.Resolve(request.Model);
            GenerationRequest generation = await services.Tokenizers.RunAsync(() => ChatPlanner.Plan(request, model, limits), aborted) with { Tenant = caller.Tenant };
            context.Response.Headers[QuicksilverHeaders.PromptTokens] = generation.InputTokenCount.ToString(CultureInfo.InvariantCulture);
            var choices = new CompletionChoices(
                model, generation, services.Usage, request.Choices, request.Stop, echo: null, request.Logprobs, GenAiOperations.Chat,
                holdBackFrom: request.Tools.Active ? HermesToolCalls.Open : null);
            var header = ChatCompletionHeader.Create(model.Id, services.Time);

            if (!request.Stream)
            {
                return await CompleteAsync(choices, header, request.Tools, aborted);
            }

            IAsyncEnumerator<(int Index, CompletionDelta Delta)> deltas = await choices.StartStreamAsync(aborted);
            return new ChatCompletionStreamResult(deltas, choices, header, request.Tools, request.IncludeUsage || caller.WantsUsage, services.Logger);
        }
        catch (ApiErrorException exception)
        {
            return exception.Error.ToResult();
        }
    }

    private static async Task<ChatRequest> ReadRequestAsync(HttpRequest request, LimitsOptions limits, CancellationToken cancellationToken)
    {
        using JsonDocument body = await JsonBodyReader.ReadAsync(request, limits.MaxRequestBodyBytes, cancellationToken);
        return ChatRequestParser.Parse(body.RootElement, limits);
    }

    private static async Task<IResult> CompleteAsync(CompletionChoices choices, ChatCompletionHeader header, ChatToolUse tools, CancellationToken cancellationToken)
    {
        var answers = await choices.CollectAsync(cancellationToken);
        ChatCompletion completion = header.Complete(
            [.. answers.Select(answer => (ChatAnswer.Read(answer.Text, tools), answer.Finish, ChatLogprobs.From(answer.Logprobs)))], choices.Bill());
        return TypedResults.Json(completion, WireJson.Context.ChatCompletion);
    }
}
