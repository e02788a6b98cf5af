using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>REAL ENGINE: GET /v1/models on a real tiny LLaDA checkpoint loaded by the server's own loader wiring.</summary>
[Trait("Engine", "Real")]
public sealed class ModelsApiTinyModelTests(TinyModelFixture fixture) : ModelsApiContractTests<TinyModelFixture>(fixture);
