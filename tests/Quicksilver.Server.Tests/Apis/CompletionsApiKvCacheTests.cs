using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>REAL ENGINE: <see cref="CompletionsApiKvCacheContractTests{TFixture}"/> on the tiny LLaDA model.</summary>
[Trait("Engine", "Real")]
public sealed class CompletionsApiKvCacheTests(KvCacheModelFixture fixture) : CompletionsApiKvCacheContractTests<KvCacheModelFixture>(fixture);
