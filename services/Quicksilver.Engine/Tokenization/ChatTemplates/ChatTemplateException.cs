namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>A chat template could not render a conversation; the message says why, in the template's words where it raised the error.</summary>
public sealed class ChatTemplateException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public ChatTemplateException()
    {
    }

    /// <summary>Creates an exception saying <paramref name="message"/>.</summary>
    public ChatTemplateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception saying <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public ChatTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether the template raised it itself (<c>raise_exception</c>): a refusal of the conversation, in the template's words.</summary>
    public bool RaisedByTemplate => InnerException is Jinja.JinjaException { RaisedByTemplate: true };
}
