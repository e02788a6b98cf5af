namespace Quicksilver.Engine.Scheduling;

/// <summary>A request the model cannot take. <see cref="Param"/> names the offending request field (OpenAI's <c>param</c>).</summary>
public sealed class InvalidRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidRequestException(string param, string message)
        : base(message)
    {
        Param = param;
    }

    /// <summary>The request field at fault, e.g. <c>max_tokens</c>.</summary>
    public string Param { get; }
}
