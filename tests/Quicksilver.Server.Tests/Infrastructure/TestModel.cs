using Quicksilver.Engine;
using Quicksilver.Server.Tests.Fakes;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// The model behind the model-agnostic API tests (every test class but the <c>[Trait("Engine", "Fake")]</c> ones).
/// To run them against the real tiny model, replace the body with the loader, e.g.
/// <c>ServedModelLoader.Load(TestPaths.TinyModel, new EngineOptions { Backend = "cpu" }, NullLoggerFactory.Instance)</c>.
/// </summary>
internal static class TestModel
{
    public static ServedModel Create() => FakeServedModel.Create();
}
