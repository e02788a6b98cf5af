namespace Quicksilver.Engine.Scheduling;

/// <summary>Why a sequence ended, in OpenAI's vocabulary.</summary>
public enum FinishReason
{
    /// <summary>The model produced an end-of-sequence token (<c>"stop"</c>).</summary>
    Stop,

    /// <summary>The canvas was filled without one (<c>"length"</c>).</summary>
    Length,
}
