using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>REAL ENGINE: bad requests to POST /v1/chat/completions on the embedded model.</summary>
[Trait("Engine", "Real")]
public sealed class ChatCompletionsApiValidationEmbeddedModelTests(EmbeddedModelFixture fixture) : ChatCompletionsApiValidationContractTests<EmbeddedModelFixture>(fixture);
