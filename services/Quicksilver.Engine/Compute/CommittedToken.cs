namespace Quicksilver.Engine.Compute;

/// <summary>
/// One position a denoising step commits, as <see cref="IComputeBackend.ScoreAndSelect"/> returns it: which of the
/// sequence's scored rows, and that row's chosen token and log-probability (the rest of its
/// <see cref="TokenScore"/> stays on the device).
/// </summary>
/// <param name="Row">Index of the row among the sequence's scored rows (the order of its score positions).</param>
/// <param name="Token">The row's chosen token (<see cref="TokenScore.Token"/>).</param>
/// <param name="LogProbability">Its <see cref="TokenScore.LogProbability"/>.</param>
public readonly record struct CommittedToken(int Row, int Token, float LogProbability);
