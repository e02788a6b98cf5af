namespace Quicksilver.Engine.Tests.Tokenization.Jinja;

/// <summary>A theory that compares with <see cref="JinjaReference"/>; skipped, saying what to install, without Python's jinja2.</summary>
public sealed class JinjaReferenceTheoryAttribute : TheoryAttribute
{
    public JinjaReferenceTheoryAttribute() => Skip = JinjaReference.SkipReason;
}
