using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>FAKE ENGINE: bad requests to POST /v1/chat/completions.</summary>
[Trait("Engine", "Fake")]
public sealed class ChatCompletionsApiValidationTests(FakeChatModelFixture fixture) : ChatCompletionsApiValidationContractTests<FakeChatModelFixture>(fixture);
