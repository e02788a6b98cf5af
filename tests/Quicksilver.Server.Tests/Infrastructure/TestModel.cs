using Quicksilver.Engine;
using Quicksilver.Server.Tests.Fakes;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// The model behind the <c>[Trait("Engine", "TestModel")]</c> classes (the <c>*ContractTests</c> run on
/// <see cref="ApiFixture"/>, and the OpenAPI test). Today the fake engine. To move them to a real model, change the one
/// line below, e.g. to
/// <c>ServedModelLoader.Load(pathOfModelsQuicksilverTiny, new EngineOptions { Backend = "cpu" }, NullLoggerFactory.Instance)</c>.
/// The same contract tests already run on a real random-weight checkpoint through <see cref="TinyModelFixture"/>
/// (<c>[Trait("Engine", "Real")]</c>); <c>[Trait("Engine", "Fake")]</c> classes stay on the fake by design.
/// </summary>
internal static class TestModel
{
    public static ServedModel Create() => FakeServedModel.Create();
}
