using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>REAL ENGINE: POST /v1/completions on a real tiny LLaDA checkpoint loaded by the server's own loader wiring.</summary>
[Trait("Engine", "Real")]
public sealed class CompletionsApiTinyModelTests(TinyModelFixture fixture) : CompletionsApiContractTests<TinyModelFixture>(fixture);
