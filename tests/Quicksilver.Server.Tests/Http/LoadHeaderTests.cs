using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Http;

namespace Quicksilver.Server.Http.Tests;

public sealed class LoadHeaderTests
{
    [Fact]
    public void Format_Load_IsWaitingRunningAndTokensInTheGatewaysFormat()
    {
        Assert.Equal("waiting=3, running=12, tokens=4096", LoadHeader.Format(new EngineLoad(Waiting: 3, Running: 12, TokensInFlight: 4096, Draining: true)));
        Assert.Equal("waiting=0, running=0, tokens=0", LoadHeader.Format(new EngineLoad(0, 0, 0, false)));
    }
}
