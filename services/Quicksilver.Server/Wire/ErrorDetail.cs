using System.Text.Json.Nodes;

namespace Quicksilver.Server.Wire;

/// <summary>An OpenAI-style error.</summary>
/// <param name="Message">Human-readable explanation.</param>
/// <param name="Type">Error class, e.g. <c>BadRequestError</c>, <c>NotFoundError</c>, <c>InternalServerError</c>.</param>
/// <param name="Param">The request field at fault, or null.</param>
/// <param name="Code">The HTTP status code of the error, or a string code such as <c>invalid_gateway_key</c>.</param>
internal sealed record ErrorDetail(string Message, string Type, string? Param, JsonNode? Code);
