namespace Quicksilver.Server.Telemetry.Tests;

/// <summary>
/// Tests that count what the process-wide <c>Quicksilver.Server</c> meter and activity source recorded. xunit runs a
/// collection without parallelization alone, after the parallel ones, so no other test's requests are counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryTestGroup
{
    public const string Name = "Process-wide telemetry";
}
