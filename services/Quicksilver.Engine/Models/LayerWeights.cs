using Quicksilver.Engine.Compute;

namespace Quicksilver.Engine.Models;

/// <summary>The resident parameters of one block.</summary>
internal sealed record LayerWeights(
    IWeight AttentionNorm,
    IWeight Query,
    IWeight Key,
    IWeight Value,
    IWeight? QueryBias,
    IWeight? KeyBias,
    IWeight? ValueBias,
    IWeight? QueryNorm,
    IWeight? KeyNorm,
    IWeight AttentionOutput,
    IWeight MlpNorm,
    IWeight Gate,
    IWeight Up,
    IWeight Down);
