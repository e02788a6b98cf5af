namespace Quicksilver.Server.Apis.Tests;

/// <summary>Bad <c>POST /v1/chat/completions</c> bodies for <see cref="ChatCompletionsApiValidationContractTests{TFixture}"/>.</summary>
public static class ChatCompletionsApiBadRequests
{
    private const string Ok = "\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": \"a\"}]";

    /// <summary>Bodies with <c>$MODEL</c> filled in, and the 400's <c>param</c>.</summary>
    public static TheoryData<string, string?> All => new()
    {
        // Not a JSON object.
        { "", null },
        { "{", null },
        { "[]", null },
        { "null", null },
        // Not Unicode text: a lone surrogate escape
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": \"hi \\ud800\"}]}", "messages[0].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"\\udc00\", \"content\": \"hi\"}]}", "messages[0].role" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"\\ud800\"}]}]}", "messages[0].content[0].text" },
        // messages
        { "{\"model\": \"$MODEL\"}", "messages" },
        { "{\"model\": \"$MODEL\", \"messages\": null}", "messages" },
        { "{\"model\": \"$MODEL\", \"messages\": \"hi\"}", "messages" },
        { "{\"model\": \"$MODEL\", \"messages\": []}", "messages" },
        { "{\"model\": \"$MODEL\", \"messages\": {\"role\": \"user\", \"content\": \"a\"}}", "messages" },
        { "{\"model\": \"$MODEL\", \"messages\": [5]}", "messages[0]" },
        { "{\"model\": \"$MODEL\", \"messages\": [{}]}", "messages[0].role" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"content\": \"a\"}]}", "messages[0].role" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": 5, \"content\": \"a\"}]}", "messages[0].role" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"robot\", \"content\": \"a\"}]}", "messages[0].role" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"tool\", \"content\": \"a\", \"tool_call_id\": \"c1\"}]}", "messages[0].role" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"function\", \"content\": \"a\", \"name\": \"f\"}]}", "messages[0].role" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\"}]}", "messages[0].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": null}]}", "messages[0].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": 5}]}", "messages[0].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": {\"type\": \"text\", \"text\": \"a\"}}]}", "messages[0].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": [\"a\"]}]}", "messages[0].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": []}]}", "messages[0].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": []}]}", "messages[1].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": [{\"text\": \"a\"}]}]}", "messages[0].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\"}]}]}", "messages[0].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": 5}]}]}", "messages[0].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"refusal\", \"refusal\": \"no\"}]}]}", "messages[0].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": [{\"type\": \"refusal\", \"text\": \"no\"}]}]}", "messages[1].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"https://example.com/a.png\"}}]}]}", "messages[0].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": [{\"type\": \"input_audio\", \"input_audio\": {\"data\": \"\", \"format\": \"wav\"}}]}]}", "messages[1].content" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": \"a\", \"name\": 5}]}", "messages[0].name" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"audio\": {\"id\": \"audio_1\"}}]}", "messages[1].audio" },
        { "{\"model\": \"$MODEL\", \"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"c1\", \"type\": \"function\", \"function\": {\"name\": \"f\", \"arguments\": \"{}\"}}]}]}", "messages[1].tool_calls" },
        // model
        { "{\"model\": 5, \"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}", "model" },
        // max_completion_tokens, max_tokens
        { $"{{{Ok}, \"max_completion_tokens\": 0}}", "max_completion_tokens" },
        { $"{{{Ok}, \"max_completion_tokens\": \"x\"}}", "max_completion_tokens" },
        { $"{{{Ok}, \"max_completion_tokens\": 1.5}}", "max_completion_tokens" },
        { $"{{{Ok}, \"max_completion_tokens\": 1025}}", "max_completion_tokens" },
        { $"{{{Ok}, \"max_tokens\": 0}}", "max_tokens" },
        { $"{{{Ok}, \"max_tokens\": true}}", "max_tokens" },
        { $"{{{Ok}, \"max_completion_tokens\": 5, \"max_tokens\": \"x\"}}", "max_tokens" }, // ignored beside it, but still an integer
        // sampling
        { $"{{{Ok}, \"temperature\": 2.5}}", "temperature" },
        { $"{{{Ok}, \"temperature\": \"hot\"}}", "temperature" },
        { $"{{{Ok}, \"top_p\": 0}}", "top_p" },
        { $"{{{Ok}, \"top_k\": -3}}", "top_k" },
        { $"{{{Ok}, \"top_k\": true}}", "top_k" },
        { $"{{{Ok}, \"alg_temp\": -1}}", "alg_temp" },
        { $"{{{Ok}, \"presence_penalty\": 3}}", "presence_penalty" },
        { $"{{{Ok}, \"frequency_penalty\": \"x\"}}", "frequency_penalty" },
        { $"{{{Ok}, \"logit_bias\": {{\"a\": 1}}}}", "logit_bias" },
        { $"{{{Ok}, \"logit_bias\": {{\"5\": 101}}}}", "logit_bias" },
        { $"{{{Ok}, \"logit_bias\": {{\"99999999\": 1}}}}", "logit_bias" },
        { $"{{{Ok}, \"logit_bias\": {{\"7\": 1, \"007\": 1}}}}", "logit_bias" },
        { $"{{{Ok}, \"logit_bias\": [1]}}", "logit_bias" },
        // n
        { $"{{{Ok}, \"n\": 9}}", "n" },
        { $"{{{Ok}, \"n\": 0}}", "n" },
        // stream, stream_options
        { $"{{{Ok}, \"stream\": \"yes\"}}", "stream" },
        { $"{{{Ok}, \"stream_options\": {{\"include_usage\": true}}}}", "stream_options" },
        { $"{{{Ok}, \"stream\": true, \"stream_options\": {{\"include_usage\": 1}}}}", "stream_options.include_usage" },
        { $"{{{Ok}, \"stream\": true, \"stream_options\": {{\"include_usage\": true, \"continuous_usage_stats\": true}}}}", "stream_options.continuous_usage_stats" },
        // stop, seed, user
        { $"{{{Ok}, \"stop\": 5}}", "stop" },
        { $"{{{Ok}, \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}}", "stop" },
        { $"{{{Ok}, \"stop\": [\"\"]}}", "stop" },
        { $"{{{Ok}, \"seed\": 1.5}}", "seed" },
        { $"{{{Ok}, \"user\": 5}}", "user" },
        // logprobs
        { $"{{{Ok}, \"logprobs\": 1}}", "logprobs" },
        { $"{{{Ok}, \"top_logprobs\": 5}}", "top_logprobs" },
        { $"{{{Ok}, \"top_logprobs\": 21}}", "top_logprobs" },
        { $"{{{Ok}, \"logprobs\": false, \"top_logprobs\": 2}}", "top_logprobs" },
        { $"{{{Ok}, \"logprobs\": true, \"top_logprobs\": -1}}", "top_logprobs" },
        // tools, response_format
        { $"{{{Ok}, \"tools\": [{{\"type\": \"function\", \"function\": {{\"name\": \"f\"}}}}]}}", "tools" },
        { $"{{{Ok}, \"tools\": {{}}}}", "tools" },
        { $"{{{Ok}, \"chat_template_kwargs\": {{\"tools\": [{{\"type\": \"function\", \"function\": {{\"name\": \"f\"}}}}]}}}}", "chat_template_kwargs" },
        { $"{{{Ok}, \"chat_template_kwargs\": {{\"tools\": \"f\"}}}}", "chat_template_kwargs" },
        { $"{{{Ok}, \"chat_template_kwargs\": {{\"custom_tools\": [{{\"name\": \"f\"}}]}}}}", "chat_template_kwargs" },
        { $"{{{Ok}, \"max_completion_tokens\": 5, \"max_tokens\": 1.5}}", "max_tokens" },
        { $"{{{Ok}, \"tool_choice\": \"required\"}}", "tool_choice" },
        { $"{{{Ok}, \"tool_choice\": {{\"type\": \"function\", \"function\": {{\"name\": \"f\"}}}}}}", "tool_choice" },
        { $"{{{Ok}, \"tool_choice\": 5}}", "tool_choice" },
        { $"{{{Ok}, \"functions\": [{{\"name\": \"f\"}}]}}", "functions" },
        { $"{{{Ok}, \"function_call\": {{\"name\": \"f\"}}}}", "function_call" },
        { $"{{{Ok}, \"response_format\": {{\"type\": \"json_object\"}}}}", "response_format" },
        { $"{{{Ok}, \"response_format\": {{\"type\": \"json_schema\", \"json_schema\": {{\"name\": \"x\", \"schema\": {{}}}}}}}}", "response_format" },
        { $"{{{Ok}, \"response_format\": \"text\"}}", "response_format" },
        { $"{{{Ok}, \"response_format\": {{}}}}", "response_format.type" },
        { $"{{{Ok}, \"response_format\": {{\"type\": 5}}}}", "response_format.type" },
        // fields of OpenAI's or vLLM's this server does not implement, set to a value with an effect
        { $"{{{Ok}, \"min_p\": 0.1}}", "min_p" },
        { $"{{{Ok}, \"modalities\": [\"text\", \"audio\"]}}", "modalities" },
        { $"{{{Ok}, \"reasoning_effort\": \"low\"}}", "reasoning_effort" },
        { $"{{{Ok}, \"prediction\": {{\"type\": \"content\", \"content\": \"x\"}}}}", "prediction" },
        { $"{{{Ok}, \"echo\": true}}", "echo" },
        { $"{{{Ok}, \"best_of\": 2}}", "best_of" },
        { $"{{{Ok}, \"best_of\": \"abc\"}}", "best_of" },
        { $"{{{Ok}, \"verbosity\": \"high\"}}", "verbosity" },
        { $"{{{Ok}, \"documents\": [{{\"title\": \"a\", \"text\": \"b\"}}]}}", "documents" },
        // diffusion extension fields
        { $"{{{Ok}, \"steps\": 0}}", "steps" },
        { $"{{{Ok}, \"block_length\": 2.5}}", "block_length" },
        { $"{{{Ok}, \"remasking\": \"sideways\"}}", "remasking" },
        { $"{{{Ok}, \"remasking\": \"origin \"}}", "remasking" },
        { $"{{{Ok}, \"kv_cache\": \"dual_cache\"}}", "kv_cache" },
        { $"{{{Ok}, \"kv_cache\": 2}}", "kv_cache" },
        { $"{{{Ok}, \"kv_cache_refresh\": \"all\"}}", "kv_cache_refresh" },
        { $"{{{Ok}, \"threshold\": 0}}", "threshold" },
        { $"{{{Ok}, \"threshold\": 1.5}}", "threshold" },
        { $"{{{Ok}, \"factor\": -1}}", "factor" },
        { $"{{{Ok}, \"threshold\": 0.9, \"factor\": 1}}", "factor" },
    };
}
