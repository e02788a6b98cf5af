namespace Quicksilver.Engine.Checkpoints;

/// <summary>
/// A defect in a model folder. The message always names the file and, where there is one,
/// the tensor or field at fault (<see cref="Subject"/>).
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception; the message is prefixed with the file and subject.</summary>
    public CheckpointException(string filePath, string? subject, string problem, Exception? inner = null)
        : base(Format(filePath, subject, problem), inner)
    {
        FilePath = filePath;
        Subject = subject;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>The tensor or field at fault, when the defect has one.</summary>
    public string? Subject { get; }

    private static string Format(string filePath, string? subject, string problem) =>
        subject is null ? $"{filePath}: {problem}" : $"{filePath}: '{subject}': {problem}";
}
