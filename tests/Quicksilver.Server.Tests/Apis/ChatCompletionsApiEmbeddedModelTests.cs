using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>REAL ENGINE: POST /v1/chat/completions on the embedded model, its real tokenizer and chat template.</summary>
[Trait("Engine", "Real")]
public sealed class ChatCompletionsApiEmbeddedModelTests(EmbeddedModelFixture fixture) : ChatCompletionsApiContractTests<EmbeddedModelFixture>(fixture);
