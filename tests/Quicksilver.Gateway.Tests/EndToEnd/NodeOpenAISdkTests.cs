using System.Diagnostics;
using System.Text.RegularExpressions;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// The official OpenAI Node SDK, unmodified (<c>tests/sdk/node/openai-sdk.test.mjs</c>, run by Node's test runner),
/// against the real gateway in front of a real pod serving the embedded model: models, completions and chat (plain,
/// streamed, the SDK's stream helper, n = 2, log-probabilities) and the SDK's error classes for 400, 401, 404 and 429.
/// Every test in the file must run and pass.
/// </summary>
public sealed partial class NodeOpenAISdkTests
{
    private const string Checks = "openai-sdk.test.mjs";

    [NodeOpenAISdkFact]
    public async Task OfficialNodeSdk_AgainstTheGateway_EveryCheckPasses()
    {
        await using Platform platform = await Platform.StartAsync(podCount: 1);
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = NodeOpenAISdkFactAttribute.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "--test", "--test-reporter=tap", Checks },
            Environment =
            {
                ["QS_BASE_URL"] = new Uri(platform.Gateway.Address, "/v1").ToString(),
                ["QS_MODEL"] = GatewayServer.Model,
                ["QS_API_KEY"] = TestTenants.KeyOf(TestTenants.Acme),
                ["QS_LIMITED_KEY"] = TestTenants.KeyOf(TestTenants.Limited),
            },
        };

        using Process node = Process.Start(start)!;
        Task<string> output = node.StandardOutput.ReadToEndAsync();
        Task<string> errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }
        string report = $"{await output}\n{await errors}";

        int checks = TestCall().Count(File.ReadAllText(Path.Combine(NodeOpenAISdkFactAttribute.Folder, Checks)));
        Assert.True(node.ExitCode == 0, report);
        Assert.True(Summary("pass").Match(report) is { Success: true } passed && int.Parse(passed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) == checks, $"{checks} checks expected to pass:\n{report}");
    }

    /// <summary>A top-level <c>test(</c> of the checks file.</summary>
    [GeneratedRegex(@"^test\(", RegexOptions.Multiline)]
    private static partial Regex TestCall();

    private static Regex Summary(string count) => new($@"^# {count} (\d+)$", RegexOptions.Multiline);
}
