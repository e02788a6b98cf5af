using System.CommandLine;
using Quicksilver.LoadTest;

// An SSE-aware load generator for Quicksilver's OpenAI-compatible API: see README.md, "Load tests".
var command = new RootCommand("Load-tests a Quicksilver gateway or pod (/v1/completions, /v1/chat/completions; streamed or not).");
CommandLine.AddTo(command);
return await command.Parse(args).InvokeAsync();
