using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Tests.Checkpoints;

/// <summary>Assertions about <see cref="CheckpointException"/>: the type, the file and the subject it names.</summary>
internal static class CheckpointAssert
{
    /// <summary>
    /// Asserts that <paramref name="action"/> throws a <see cref="CheckpointException"/> whose message names the file
    /// (by file name) and, when given, the tensor or field, and contains each of <paramref name="fragments"/>.
    /// </summary>
    public static CheckpointException Throws(Action action, string filePath, string? subject, params string[] fragments)
    {
        CheckpointException e = Assert.Throws<CheckpointException>(action);
        Assert.Contains(Path.GetFileName(Path.TrimEndingDirectorySeparator(filePath)), e.Message, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(filePath), e.FilePath);
        if (subject is not null)
        {
            Assert.Equal(subject, e.Subject);
            Assert.Contains($"'{subject}'", e.Message, StringComparison.Ordinal);
        }

        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        }

        return e;
    }
}
