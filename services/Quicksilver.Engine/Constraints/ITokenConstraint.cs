namespace Quicksilver.Engine.Constraints;

/// <summary>
/// A rule the answer's text must follow (structured output): which tokens may come next after what the answer holds,
/// and when it is complete. Immutable and shared by a request's choices; each sequence decodes with its own
/// <see cref="Start"/>.
/// </summary>
public interface ITokenConstraint
{
    /// <summary>
    /// The ids the constraint judges: every id at or above it is banned. It must reach the model's vocabulary (its
    /// logit rows), which can be larger than its tokenizer's (padding ids): the engine refuses a request whose
    /// constraint does not (<see cref="Scheduling.RequestValidator"/>).
    /// </summary>
    int VocabularySize { get; }

    /// <summary>The rule's state before the answer's first token.</summary>
    ITokenConstraintState Start();
}

/// <summary>One sequence's progress through an <see cref="ITokenConstraint"/>: the answer's tokens so far, left to right.</summary>
public interface ITokenConstraintState
{
    /// <summary>Whether the answer so far is a whole answer of the rule: it ends there.</summary>
    bool IsComplete { get; }

    /// <summary>The token ids that may not come next, each once; never every id while the answer is incomplete.</summary>
    IReadOnlyList<int> Banned();

    /// <summary>Appends <paramref name="token"/> when the rule allows it next and returns true; otherwise changes nothing and returns false.</summary>
    bool TryAppend(int token);
}
