using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>FAKE ENGINE: POST /v1/chat/completions on the fake engine with the LLaMA-3 chat template.</summary>
[Trait("Engine", "Fake")]
public sealed class ChatCompletionsApiTests(FakeChatModelFixture fixture) : ChatCompletionsApiContractTests<FakeChatModelFixture>(fixture);
