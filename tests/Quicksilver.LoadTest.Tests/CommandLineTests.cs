using System.CommandLine;

namespace Quicksilver.LoadTest.Tests;

/// <summary>The tool's command line as the README runs it: options left out take their defaults, bad values are refused.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--url", "http://127.0.0.1:8000", "--api-key", "k")]
    [InlineData("--scenario", "steady", "--url", "http://127.0.0.1:8000", "--arrival", "Gamma", "--rate", "2", "--gamma-shape", "0.5", "--slo", "ttft:2000,tpot:100")]
    [InlineData("--scenario", "smoke", "--platform", "none", "--url", "https://gateway.example.com/")]
    [InlineData("--platform", "local")]
    public void Parse_TheReadmesCommands_HasNoErrors(params string[] args)
    {
        ParseResult result = Command().Parse(args);

        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("--url: 'gateway' is not an absolute http(s) URL.", "--url", "gateway")]
    [InlineData("--direct-url: 'ftp://pod' is not an absolute http(s) URL.", "--direct-url", "ftp://pod", "--url", "http://g")]
    [InlineData("Argument 'cloud' not recognized.", "--platform", "cloud")]
    [InlineData("Argument 'bogus' not recognized.", "--scenario", "bogus", "--url", "http://g")]
    [InlineData("Not an SLO: 'ttft:abc'", "--slo", "ttft:abc", "--url", "http://g")]
    [InlineData("--rate must be greater than 0, but is 0.", "--rate", "0", "--url", "http://g")]
    [InlineData("--gamma-shape must be greater than 0, but is -1.", "--gamma-shape", "-1", "--url", "http://g")]
    [InlineData("--duration must be greater than 0, but is -3.", "--duration", "-3", "--url", "http://g")]
    [InlineData("--hang-up must be between 0 and 1, but is 1.5.", "--hang-up", "1.5", "--url", "http://g")]
    public void Parse_BadValue_IsAnErrorNamingIt(string expected, params string[] args)
    {
        ParseResult result = Command().Parse(args);

        Assert.Contains(result.Errors, error => error.Message.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--duration", "1")]
    [InlineData("--platform", "local", "--url", "http://127.0.0.1:8000")]
    public async Task Invoke_NeitherOrBothOfUrlAndLocalPlatform_FailsSayingWhatToGive(params string[] args)
    {
        using var error = new StringWriter();

        int exitCode = await Command().Parse(args).InvokeAsync(new InvocationConfiguration { Error = error });

        Assert.Equal(1, exitCode);
        Assert.Equal("Give --url (and --api-key) or --platform local, not both.", error.ToString().Trim());
    }

    private static RootCommand Command()
    {
        var command = new RootCommand();
        CommandLine.AddTo(command);
        return command;
    }
}
