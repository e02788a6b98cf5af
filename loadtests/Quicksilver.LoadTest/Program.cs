using System.CommandLine;

namespace Quicksilver.LoadTest;

/// <summary>
/// An SSE-aware load generator for Quicksilver's OpenAI-compatible API: see README.md, "Load tests". A named class
/// (not top-level statements): the tests also load the model server, whose <c>Program</c> is in the global namespace.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        var command = new RootCommand("Load-tests a Quicksilver gateway or pod (/v1/completions, /v1/chat/completions; streamed or not).");
        CommandLine.AddTo(command);
        return command.Parse(args).InvokeAsync();
    }
}
