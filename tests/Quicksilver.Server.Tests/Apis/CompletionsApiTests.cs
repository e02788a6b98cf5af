using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>POST /v1/completions on <see cref="TestModel"/> (the fake engine until the tests move to the real tiny model).</summary>
[Trait("Engine", "TestModel")]
public sealed class CompletionsApiTests(ApiFixture fixture) : CompletionsApiContractTests<ApiFixture>(fixture);
