namespace Quicksilver.Engine.Tests.Tokenization.Jinja;

/// <summary>A fact that compares with <see cref="JinjaReference"/>; skipped, saying what to install, without Python's jinja2.</summary>
public sealed class JinjaReferenceFactAttribute : FactAttribute
{
    public JinjaReferenceFactAttribute() => Skip = JinjaReference.SkipReason;
}
