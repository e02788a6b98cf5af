using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>REAL ENGINE: <see cref="CompletionsApiKvCacheContractTests{TFixture}"/> on the tiny Dream model, which used to refuse <c>kv_cache</c>.</summary>
[Trait("Engine", "Real")]
public sealed class CompletionsApiDreamKvCacheTests(DreamKvCacheModelFixture fixture) : CompletionsApiKvCacheContractTests<DreamKvCacheModelFixture>(fixture);
