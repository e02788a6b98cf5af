namespace Quicksilver.Engine.Tokenization.Jinja;

/// <summary>
/// A chat template that cannot be read (a syntax error, or a construct this engine does not implement), or a render
/// that fails (the template's <c>raise_exception</c>, a type error).
/// </summary>
public sealed class JinjaException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public JinjaException()
    {
    }

    /// <summary>Creates an exception saying <paramref name="message"/>.</summary>
    public JinjaException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception saying <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public JinjaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether the template raised it itself (<c>raise_exception(…)</c>): what it says is meant for the caller.</summary>
    public bool RaisedByTemplate { get; init; }
}
