using Microsoft.Extensions.Options;
using Quicksilver.Server.Hosting;
using Quicksilver.Server.Metering;

namespace Quicksilver.Server.Apis;

/// <summary>What the completions endpoint needs, bound with <c>[AsParameters]</c>.</summary>
/// <param name="Catalog">The served models.</param>
/// <param name="Limits">Request limits.</param>
/// <param name="Time">The clock (<c>created</c>).</param>
/// <param name="Logger">For failures after a stream has started.</param>
/// <param name="Usage">Bills each request's usage (tokens, device time, cost).</param>
/// <param name="Tokenizers">The slots in which a request tokenises its prompt.</param>
internal sealed record CompletionServices(
    ModelCatalog Catalog,
    IOptions<LimitsOptions> Limits,
    TimeProvider Time,
    ILogger<CompletionServices> Logger,
    UsageMeter Usage,
    TokenizerWorkers Tokenizers);
