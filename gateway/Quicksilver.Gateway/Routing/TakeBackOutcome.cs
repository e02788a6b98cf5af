namespace Quicksilver.Gateway.Routing;

/// <summary>What taking a try back from a hung pod did (<see cref="ForwardAttempts.TakeBack"/>).</summary>
internal enum TakeBackOutcome
{
    /// <summary>Nothing: the request is on another try, or the try was dealt with already.</summary>
    None,

    /// <summary>The try's answer had not begun: the try is ended and retried on another pod.</summary>
    TakenBack,

    /// <summary>The try's answer had begun: its relay is told to end it.</summary>
    AnswerCut,
}
