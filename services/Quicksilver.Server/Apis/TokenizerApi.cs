using System.Text.Json;
using Microsoft.Extensions.Options;
using Quicksilver.Engine;
using Quicksilver.Engine.Tokenization;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Hosting;
using Quicksilver.Server.Http;
using Quicksilver.Server.OpenApi;
using Quicksilver.Server.Tenancy;
using Quicksilver.Server.Tokenizing;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Apis;

/// <summary>
/// vLLM's <c>POST /tokenize</c> and <c>POST /detokenize</c>, at vLLM's paths: the served model's tokenizer, without
/// generating, so a client can count a prompt against the context (and the price) before sending it. Tokenising takes
/// no device time and no queue slot; the body limit bounds one request's work, and <see cref="TokenizerWorkers"/> how
/// many tokenise at once.
/// </summary>
internal static class TokenizerApi
{
    private static readonly int[] ErrorStatuses =
    [
        StatusCodes.Status400BadRequest,
        StatusCodes.Status401Unauthorized,
        StatusCodes.Status404NotFound,
        StatusCodes.Status413PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType,
        StatusCodes.Status503ServiceUnavailable,
    ];

    public static IEndpointRouteBuilder MapTokenizerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(string.Empty).WithTags("Tokenizer");

        api.MapPost("/tokenize", Tokenize)
            .WithTenancy()
            .WithName("Tokenize")
            .WithSummary("Tokenizes a prompt or a chat as the generation endpoints would")
            .WithDescription(
                "vLLM's tokenize endpoint. Send `prompt` (a completion's text) or `messages` (a chat, rendered with the " +
                "model's chat template; the same fields and checks as `/v1/chat/completions`): the answer holds the ids a " +
                "completion or chat completion of that prompt would start from (`tokens`, `count`) and the model's context " +
                "length (`max_model_len`), which the prompt and the answer's `max_tokens` must fit in.")
            .AddOpenApiOperationTransformer(JsonRequestBody.Of<TokenizeRequestDocument>("A completion's prompt or a chat's messages, with vLLM's tokenize fields."))
            .Produces<TokenizeResponse>(StatusCodes.Status200OK)
            .ProducesErrors(ErrorStatuses);

        api.MapPost("/detokenize", Detokenize)
            .WithTenancy()
            .WithName("Detokenize")
            .WithSummary("Turns token ids into text")
            .WithDescription("vLLM's detokenize endpoint: the text of `tokens` (special tokens kept); an id outside the vocabulary is a 400 naming it.")
            .AddOpenApiOperationTransformer(JsonRequestBody.Of<DetokenizeRequestDocument>("The ids to turn into text."))
            .Produces<DetokenizeResponse>(StatusCodes.Status200OK)
            .ProducesErrors(ErrorStatuses);

        return app;
    }

    public static Task<IResult> Tokenize(HttpContext context, ModelCatalog catalog, IOptions<LimitsOptions> limits, TokenizerWorkers tokenizers)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(limits);
        return AnswerAsync(context, limits.Value, tokenizers, body =>
        {
            TokenizeRequest request = TokenizeRequest.Parse(body, limits.Value);
            ServedModel model = catalog.Resolve(request.Model);
            IReadOnlyList<int> tokens = request.Tokens(model);
            IReadOnlyList<string>? texts = request.ReturnTokenStrs
                ? [.. tokens.Select(model.Tokenizer.DecodeAlone)]
                : null;
            return TypedResults.Json(new TokenizeResponse(tokens.Count, model.ContextLength, tokens, texts), WireJson.Context.TokenizeResponse);
        });
    }

    public static Task<IResult> Detokenize(HttpContext context, ModelCatalog catalog, IOptions<LimitsOptions> limits, TokenizerWorkers tokenizers)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(limits);
        return AnswerAsync(context, limits.Value, tokenizers, body =>
        {
            DetokenizeRequest request = DetokenizeRequest.Parse(body);
            ServedModel model = catalog.Resolve(request.Model);
            IReadOnlyList<int> tokens = CompletionPlanner.InVocabulary(request.Tokens, model.Tokenizer.VocabSize, "tokens");
            return TypedResults.Json(new DetokenizeResponse(model.Tokenizer.Decode(tokens, skipSpecialTokens: false)), WireJson.Context.DetokenizeResponse);
        });
    }

    /// <summary>
    /// The answer <paramref name="answer"/> gives the request's JSON body, worked out in one of the tokenizer slots;
    /// every refusal in OpenAI's error shape.
    /// </summary>
    private static async Task<IResult> AnswerAsync(HttpContext context, LimitsOptions limits, TokenizerWorkers tokenizers, Func<JsonElement, IResult> answer)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tokenizers);
        try
        {
            using JsonDocument body = await JsonBodyReader.ReadAsync(context.Request, limits.MaxRequestBodyBytes, context.RequestAborted);
            JsonElement root = body.RootElement;
            return await tokenizers.RunAsync(() => answer(root), context.RequestAborted);
        }
        catch (ApiErrorException exception)
        {
            return exception.Error.ToResult();
        }
    }
}
