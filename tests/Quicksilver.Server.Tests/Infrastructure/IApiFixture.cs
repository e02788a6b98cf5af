namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>A started server and a client for it, shared by the tests of a class.</summary>
public interface IApiFixture
{
    QuicksilverApiFactory Factory { get; }

    HttpClient Client { get; }
}
