using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>GET /v1/models on <see cref="TestModel"/> (the fake engine until the tests move to the real tiny model).</summary>
[Trait("Engine", "TestModel")]
public sealed class ModelsApiTests(ApiFixture fixture) : ModelsApiContractTests<ApiFixture>(fixture);
