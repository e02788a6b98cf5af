namespace Quicksilver.Server.Errors;

/// <summary>The <c>type</c> values of OpenAI-shaped errors, named as vLLM names them.</summary>
internal static class ErrorTypes
{
    public const string BadRequest = "BadRequestError";
    public const string NotFound = "NotFoundError";
    public const string RequestTooLarge = "RequestTooLargeError";
    public const string UnsupportedMediaType = "UnsupportedMediaTypeError";
    public const string RateLimit = "RateLimitError";

    /// <summary>OpenAI's own name, which the gateway also answers with for its API keys.</summary>
    public const string Authentication = "AuthenticationError";
    public const string ServiceUnavailable = "ServiceUnavailableError";
    public const string InternalServer = "InternalServerError";
}
