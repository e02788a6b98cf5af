using System.Text.Json;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Errors;
using static Quicksilver.Server.Completions.RequestFieldReader;

namespace Quicksilver.Server.Tokenizing;

/// <summary>A <c>POST /detokenize</c> body whose fields have passed their type checks.</summary>
/// <param name="Model">The model named by the client, or null for the served one.</param>
/// <param name="Tokens">The ids to decode (none: the empty text, as in vLLM; their range is the model's to check).</param>
internal sealed record DetokenizeRequest(string? Model, IReadOnlyList<int> Tokens)
{
    public static DetokenizeRequest Parse(JsonElement body)
    {
        const string param = "tokens";
        string? model = OptionalString(body, "model");
        if (!TryGetValue(body, param, out JsonElement tokens))
        {
            throw ApiErrorException.BadRequest($"Missing required parameter: '{param}'.", param);
        }

        return new(model, CompletionRequestParser.TokenIds(tokens, param, allowEmpty: true));
    }
}
