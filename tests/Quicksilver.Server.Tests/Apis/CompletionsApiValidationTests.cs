using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>bad requests to POST /v1/completions on <see cref="TestModel"/> (the fake engine until the tests move to the real tiny model).</summary>
[Trait("Engine", "TestModel")]
public sealed class CompletionsApiValidationTests(ApiFixture fixture) : CompletionsApiValidationContractTests<ApiFixture>(fixture);
