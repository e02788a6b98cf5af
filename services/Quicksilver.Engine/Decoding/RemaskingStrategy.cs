namespace Quicksilver.Engine.Decoding;

/// <summary>How a step chooses which masked positions of the current block to commit (LLaDA's <c>remasking</c>).</summary>
public enum RemaskingStrategy
{
    /// <summary>Commit the positions whose chosen token has the highest probability (LLaDA's default).</summary>
    LowConfidence,

    /// <summary>Commit uniformly random positions.</summary>
    Random,
}
