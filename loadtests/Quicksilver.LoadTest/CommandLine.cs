using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json.Nodes;
using Quicksilver.LoadTest.Metrics;
using Quicksilver.LoadTest.Scenarios;

namespace Quicksilver.LoadTest;

/// <summary>The tool's options; every load option, when given, overrides the scenario's preset.</summary>
internal static class CommandLine
{
    // Values are checked per option: a command validator runs before defaults apply, so it reads "" for an option left out.
    private static readonly Option<string> Scenario = new Option<string>("--scenario") { Description = $"Preset: {string.Join(", ", Presets.Names)}.", DefaultValueFactory = _ => "steady" }
        .AcceptOnlyFromAmong([.. Presets.Names]);
    private static readonly Option<Uri?> Url = new("--url") { Description = "Base URL of the gateway (or a pod) to load.", CustomParser = AbsoluteUri };
    private static readonly Option<string?> ApiKey = new("--api-key") { Description = "Bearer key for --url (default: $QUICKSILVER_API_KEY)." };
    private static readonly Option<Uri?> DirectUrl = new("--direct-url") { Description = "gateway-vs-direct, disconnect-storm: a pod's base URL.", CustomParser = AbsoluteUri };
    private static readonly Option<string> Platform = new Option<string>("--platform") { Description = "'local': start gateway + pods (tools/Quicksilver.Platform) on loopback for the run.", DefaultValueFactory = _ => "none" }
        .AcceptOnlyFromAmong("none", "local");
    private static readonly Option<int> Port = new("--port") { Description = "--platform local: the gateway's port; pods take the next ones.", DefaultValueFactory = _ => 18100 };
    private static readonly Option<int> Pods = Positive(new Option<int>("--pods") { Description = "--platform local: pods to start.", DefaultValueFactory = _ => 2 });
    private static readonly Option<string> Model = new("--model") { Description = "Model name in requests (with --platform local: the folder to serve).", DefaultValueFactory = _ => "quicksilver-tiny" };
    private static readonly Option<string?> Endpoint = new("--endpoint") { Description = "completions or chat." };
    private static readonly Option<bool?> Stream = new("--stream") { Description = "Stream (true) or not (false)." };
    private static readonly Option<ArrivalMode?> Arrival = new("--arrival") { Description = "Concurrency, Poisson, Gamma or Ramp." };
    private static readonly Option<double?> Rate = Positive(new Option<double?>("--rate") { Description = "Open loop: requests/s (Ramp: the start rate)." });
    private static readonly Option<double?> GammaShape = Positive(new Option<double?>("--gamma-shape") { Description = "Gamma: shape k (coefficient of variation 1/√k)." });
    private static readonly Option<double?> RampTo = Positive(new Option<double?>("--ramp-to") { Description = "Ramp: the final rate." });
    private static readonly Option<int?> Concurrency = Positive(new Option<int?>("--concurrency") { Description = "Closed loop: requests in flight." });
    private static readonly Option<double?> Duration = Positive(new Option<double?>("--duration") { Description = "Seconds of sending (requests then finish)." });
    private static readonly Option<int?> MaxTokens = Positive(new Option<int?>("--max-tokens") { Description = "max_tokens of each request." });
    private static readonly Option<bool> NaturalLength = new("--natural-length") { Description = "Let answers end at the model's end token (ignore_eos: false); by default every answer is max_tokens long." };
    private static readonly Option<int?> BlockLength = Positive(new Option<int?>("--block-length") { Description = "block_length of each request (diffusion block; one SSE event per block)." });
    private static readonly Option<int?> Steps = Positive(new Option<int?>("--steps") { Description = "steps of each request (denoising steps)." });
    private static readonly Option<int> PromptWords = Positive(new Option<int>("--prompt-words") { Description = "Synthetic prompts: words per prompt.", DefaultValueFactory = _ => 16 });
    private static readonly Option<FileInfo?> Prompts = new("--prompts") { Description = "JSONL prompts ({\"prompt\":…} or {\"messages\":[…]} per line) instead of synthetic ones." };
    private static readonly Option<int> Seed = new("--seed") { Description = "Seed for arrivals, prompts, targets, hang-ups and request seeds.", DefaultValueFactory = _ => 42 };
    private static readonly Option<double?> HangUp = Fraction(new Option<double?>("--hang-up") { Description = "Fraction of streams to cancel after their first event." });
    private static readonly Option<string?> SloOption = new("--slo") { Description = "Goodput SLOs in ms, e.g. ttft:2000,tpot:200,e2e:10000.", CustomParser = SloText };
    private static readonly Option<double> MaxE2e = Positive(new Option<double>("--max-e2e-ms") { Description = "overload: bound on admitted requests' p99 end-to-end latency.", DefaultValueFactory = _ => 60_000 });
    private static readonly Option<DirectoryInfo?> Out = new("--out") { Description = "Folder for result.json, summary.md, latency-cdf.png, throughput.png." };
    private static readonly Option<bool> Quiet = new("--quiet") { Description = "No live progress line." };

    private static Option<T> Positive<T>(Option<T> option) => Checked(option, value => Convert.ToDouble(value, CultureInfo.InvariantCulture) > 0, "greater than 0");

    private static Option<T> Fraction<T>(Option<T> option) =>
        Checked(option, value => Convert.ToDouble(value, CultureInfo.InvariantCulture) is >= 0 and <= 1, "between 0 and 1");

    // A number out of range fails the parse, naming the option, instead of an exception deep in the run.
    private static Option<T> Checked<T>(Option<T> option, Func<object, bool> valid, string rule)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T>() is { } value && !valid(value))
            {
                result.AddError($"{option.Name} must be {rule}, but is {Convert.ToString(value, CultureInfo.InvariantCulture)}.");
            }
        });
        return option;
    }

    // System.CommandLine parses no Uri by itself.
    private static Uri? AbsoluteUri(ArgumentResult result)
    {
        string text = result.Tokens.Single().Value;
        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        result.AddError($"{(result.Parent as OptionResult)?.Option.Name}: '{text}' is not an absolute http(s) URL.");
        return null;
    }

    private static string? SloText(ArgumentResult result)
    {
        string text = result.Tokens.Single().Value;
        try
        {
            _ = Slo.Parse(text);
        }
        catch (FormatException e)
        {
            result.AddError(e.Message);
        }

        return text;
    }

    public static void AddTo(RootCommand command)
    {
        foreach (Option option in new Option[] { Scenario, Url, ApiKey, DirectUrl, Platform, Port, Pods, Model, Endpoint, Stream, Arrival, Rate, GammaShape, RampTo, Concurrency, Duration, MaxTokens, NaturalLength, BlockLength, Steps, PromptWords, Prompts, Seed, HangUp, SloOption, MaxE2e, Out, Quiet })
        {
            command.Options.Add(option);
        }

        command.SetAction((result, cancellationToken) =>
        {
            string scenario = result.GetValue(Scenario)!;
            if ((result.GetValue(Platform) == "none") == (result.GetValue(Url) is null))
            {
                result.InvocationConfiguration.Error.WriteLine("Give --url (and --api-key) or --platform local, not both.");
                return Task.FromResult(1);
            }

            LoadOptions preset = Presets.Defaults(scenario, Path.GetFileName(result.GetValue(Model)!.TrimEnd('/')));
            JsonObject extra = preset.Extra?.DeepClone().AsObject() ?? [];
            if (result.GetValue(NaturalLength))
            {
                extra["ignore_eos"] = false;
            }

            if (result.GetValue(BlockLength) is { } blockLength)
            {
                extra["block_length"] = blockLength;
            }

            if (result.GetValue(Steps) is { } steps)
            {
                extra["steps"] = steps;
            }

            string? endpoint = result.GetValue(Endpoint);
            LoadOptions load = preset with
            {
                Chat = endpoint is null ? preset.Chat : endpoint == "chat",
                Stream = result.GetValue(Stream) ?? preset.Stream,
                Arrival = result.GetValue(Arrival) ?? preset.Arrival,
                Rate = result.GetValue(Rate) ?? preset.Rate,
                GammaShape = result.GetValue(GammaShape) ?? preset.GammaShape,
                RampTo = result.GetValue(RampTo) ?? preset.RampTo,
                Concurrency = result.GetValue(Concurrency) ?? preset.Concurrency,
                DurationSeconds = result.GetValue(Duration) ?? preset.DurationSeconds,
                MaxTokens = result.GetValue(MaxTokens) ?? preset.MaxTokens,
                Seed = result.GetValue(Seed),
                HangUpFraction = result.GetValue(HangUp) ?? preset.HangUpFraction,
                Extra = extra.Count > 0 ? extra : null,
            };
            var settings = new RunSettings(
                scenario,
                load,
                result.GetValue(Url),
                result.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable("QUICKSILVER_API_KEY"),
                result.GetValue(DirectUrl),
                result.GetValue(Platform) == "local",
                result.GetValue(Port),
                result.GetValue(Pods),
                result.GetValue(Model)!,
                result.GetValue(Prompts)?.FullName,
                result.GetValue(PromptWords),
                Slo.Parse(result.GetValue(SloOption)),
                result.GetValue(MaxE2e),
                result.GetValue(Out)?.FullName,
                !result.GetValue(Quiet),
                "dotnet run -c Release --project loadtests/Quicksilver.LoadTest -- " + string.Join(' ', result.Tokens.Select(t => t.Value)));
            return ScenarioRun.RunAsync(settings, cancellationToken);
        });
    }
}
