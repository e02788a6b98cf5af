using System.Globalization;
using System.Text.Json;
using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Http;
using Quicksilver.Server.OpenApi;
using Quicksilver.Server.Tenancy;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Apis;

/// <summary><c>POST /v1/completions</c>: OpenAI's legacy completions, streamed block by block.</summary>
internal static class CompletionsApi
{
    public static IEndpointRouteBuilder MapCompletionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").WithTags("Completions");

        api.MapPost("/completions", CreateCompletion)
            .AddEndpointFilter<LoadHeaderFilter>()
            .WithTenancy()
            .WithName("CreateCompletion")
            .WithSummary("Creates a completion for the prompt")
            .WithDescription(
                "OpenAI-compatible text completion. With `stream: true` the answer is sent as server-sent events, one " +
                "`data: {chunk}` per block of the diffusion canvas as soon as it is final, then `data: [DONE]`." +
                GatewayContractNotes.ExtensionFields + GatewayContractNotes.Errors + GatewayContractNotes.Description)
            .AddOpenApiOperationTransformer(JsonRequestBody.Of<CompletionRequestDocument>("The completion request: OpenAI's fields plus the diffusion extension fields."))
            .Produces<Completion>(StatusCodes.Status200OK, "application/json", "text/event-stream")
            .ProducesGenerationErrors();

        return app;
    }

    public static async Task<IResult> CreateCompletion(HttpContext context, [AsParameters] CompletionServices services)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(services);
        CancellationToken aborted = context.RequestAborted;
        LimitsOptions limits = services.Limits.Value;
        Caller caller = Caller.Of(context);
        try
        {
            CompletionRequest request = await ReadRequestAsync(context.Request, limits, aborted);
            ServedModel model = services.Catalog.Resolve(request.Model);
            GenerationRequest generation = await services.Tokenizers.RunAsync(() => CompletionPlanner.Plan(request, model, limits), aborted) with { Tenant = caller.Tenant };
            context.Response.Headers[QuicksilverHeaders.PromptTokens] = generation.InputTokenCount.ToString(CultureInfo.InvariantCulture);
            string? echo = request.Echo ? request.Prompt.Text ?? model.Tokenizer.Decode(generation.PromptTokens, skipSpecialTokens: false) : null;
            var choices = new CompletionChoices(model, generation, services.Usage, request.Candidates, request.Stop, echo, request.Logprobs, ranked: request.Candidates > request.Choices);
            var header = CompletionHeader.Create(model.Id, services.Time);

            if (!request.Stream)
            {
                return await CompleteAsync(choices, request.Choices, header, aborted);
            }

            IAsyncEnumerator<(int Index, CompletionDelta Delta)> deltas = await choices.StartStreamAsync(aborted);
            return new CompletionStreamResult(deltas, choices, header, request.IncludeUsage || caller.WantsUsage, services.Logger);
        }
        catch (ApiErrorException exception)
        {
            return exception.Error.ToResult();
        }
    }

    private static async Task<CompletionRequest> ReadRequestAsync(HttpRequest request, LimitsOptions limits, CancellationToken cancellationToken)
    {
        using JsonDocument body = await JsonBodyReader.ReadAsync(request, limits.MaxRequestBodyBytes, cancellationToken);
        return CompletionRequestParser.Parse(body.RootElement, limits);
    }

    /// <summary>The <paramref name="returned"/> best of the choices (all of them without <c>best_of</c>), billed for every one generated.</summary>
    private static async Task<IResult> CompleteAsync(CompletionChoices choices, int returned, CompletionHeader header, CancellationToken cancellationToken)
    {
        var answers = await choices.CollectAsync(cancellationToken);
        var best = returned < answers.Length ? [.. choices.Best(returned).Select(i => answers[i])] : answers;
        return TypedResults.Json(header.Complete(best, choices.Bill()), WireJson.Context.Completion);
    }
}
