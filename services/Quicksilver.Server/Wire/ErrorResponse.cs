namespace Quicksilver.Server.Wire;

/// <summary>The body of every error answer, and of an error event in a stream: <c>{"error":{…}}</c>.</summary>
/// <param name="Error">What went wrong.</param>
internal sealed record ErrorResponse(ErrorDetail Error);
