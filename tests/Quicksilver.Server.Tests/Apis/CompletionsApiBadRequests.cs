namespace Quicksilver.Server.Apis.Tests;

/// <summary>Bad <c>POST /v1/completions</c> bodies for <see cref="CompletionsApiValidationContractTests{TFixture}"/>.</summary>
public static class CompletionsApiBadRequests
{
    /// <summary>Bodies with <c>$MODEL</c> and <c>$VOCAB</c> (the vocabulary size) filled in, and the 400's <c>param</c>.</summary>
    public static TheoryData<string, string?> All => new()
    {
        // Not a JSON object.
        { "", null },
        { "{", null },
        { "not json", null },
        { "[]", null },
        { "\"prompt\"", null },
        { "null", null },
        { "{\"prompt\": \"a\",}", null },
        // prompt
        { "{\"model\": \"$MODEL\"}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": null}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"\"}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": []}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [\"\"]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [\"a\", \"b\"]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [\"a\", 1]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [1, \"a\"]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [[1], [2]]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [[]]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [[1, \"a\"]]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [-1]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [$VOCAB]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [[5, $VOCAB]]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [99999999999999999999]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [1.5]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": 5}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": true}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": {}}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [null]}", "prompt" },
        // model
        { "{\"model\": 5, \"prompt\": \"a\"}", "model" },
        { "{\"model\": [\"$MODEL\"], \"prompt\": \"a\"}", "model" },
        // max_tokens
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": \"x\"}", "max_tokens" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": 0}", "max_tokens" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": -1}", "max_tokens" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": 1.5}", "max_tokens" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": 1e30}", "max_tokens" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": 1025}", "max_tokens" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": true}", "max_tokens" },
        // temperature, top_p, penalties
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"temperature\": []}", "temperature" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"temperature\": \"hot\"}", "temperature" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"temperature\": -0.1}", "temperature" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"temperature\": 2.01}", "temperature" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"temperature\": 1e999}", "temperature" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"top_p\": 0}", "top_p" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"top_p\": 1.5}", "top_p" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"top_p\": \"x\"}", "top_p" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"presence_penalty\": 3}", "presence_penalty" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"frequency_penalty\": \"x\"}", "frequency_penalty" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"logit_bias\": {\"5\": 10}}", "logit_bias" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"logit_bias\": [1]}", "logit_bias" },
        // n, best_of
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"n\": 9}", "n" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"n\": 0}", "n" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"n\": \"x\"}", "n" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"best_of\": 3}", "best_of" },
        // not supported yet
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"logprobs\": 1}", "logprobs" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"logprobs\": 6}", "logprobs" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"logprobs\": \"x\"}", "logprobs" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"threshold\": 0}", "threshold" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"threshold\": 1.5}", "threshold" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"threshold\": \"high\"}", "threshold" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"factor\": -1}", "factor" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"threshold\": 0.9, \"factor\": 1}", "factor" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"remasking\": \"maskgit\"}", "remasking" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"echo\": \"yes\"}", "echo" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"suffix\": \" world\"}", "suffix" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"suffix\": 5}", "suffix" },
        // stream, stream_options
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stream\": \"yes\"}", "stream" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stream_options\": {\"include_usage\": true}}", "stream_options" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stream\": false, \"stream_options\": {}}", "stream_options" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stream\": true, \"stream_options\": \"x\"}", "stream_options" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stream\": true, \"stream_options\": {\"include_usage\": 1}}", "stream_options.include_usage" },
        // stop, seed, user
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stop\": 5}", "stop" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}", "stop" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stop\": [\"\"]}", "stop" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stop\": [1]}", "stop" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"seed\": \"x\"}", "seed" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"seed\": 1.5}", "seed" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"seed\": 1e30}", "seed" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"user\": 5}", "user" },
        // diffusion extension fields
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"steps\": 0}", "steps" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"steps\": \"many\"}", "steps" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"block_length\": 0}", "block_length" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"block_length\": 2.5}", "block_length" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"remasking\": \"sideways\"}", "remasking" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"remasking\": 1}", "remasking" },
    };
}
