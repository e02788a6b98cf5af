using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Tokenization.Jinja;

/// <summary>
/// Chat templates in the shapes the model families ship (written here after their published forms; the parity tests
/// compare renders with Jinja2's, so what matters is that they use the constructs real templates use), and templates
/// that exercise one part of the language each.
/// </summary>
internal static class JinjaTemplates
{
    public const string Llada = """
        {% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>

        '+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>

        ' }}{% endif %}
        """;

    /// <summary>
    /// Dream's (Qwen2.5's: tools described in a system turn, calls in Hermes' <c>&lt;tool_call&gt;</c> syntax), shared with
    /// the server's tool-calling tests (<c>tests/chat-templates/dream.jinja</c>).
    /// </summary>
    public static readonly string Dream = File.ReadAllText(Path.Combine(RepositoryFolders.Root, "tests", "chat-templates", "dream.jinja")).TrimEnd('\n');

    /// <summary>Qwen3's shape (SDAR's chat models are Qwen3-based): reasoning blocks, a namespace, a reversed walk.</summary>
    public const string Qwen3 = """
        {%- if tools %}
            {{- '<|im_start|>system\n' }}
            {%- if messages[0].role == 'system' %}
                {{- messages[0].content + '\n\n' }}
            {%- endif %}
            {{- "# Tools\n\n<tools>" }}
            {%- for tool in tools %}
                {{- "\n" }}
                {{- tool | tojson }}
            {%- endfor %}
            {{- "\n</tools><|im_end|>\n" }}
        {%- else %}
            {%- if messages[0].role == 'system' %}
                {{- '<|im_start|>system\n' + messages[0].content + '<|im_end|>\n' }}
            {%- endif %}
        {%- endif %}
        {%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}
        {%- for message in messages[::-1] %}
            {%- set index = (messages|length - 1) - loop.index0 %}
            {%- if ns.multi_step_tool and message.role == "user" and message.content is string and not(message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}
                {%- set ns.multi_step_tool = false %}
                {%- set ns.last_query_index = index %}
            {%- endif %}
        {%- endfor %}
        {%- for message in messages %}
            {%- if message.content is string %}
                {%- set content = message.content %}
            {%- else %}
                {%- set content = '' %}
            {%- endif %}
            {%- if (message.role == "user") or (message.role == "system" and not loop.first) %}
                {{- '<|im_start|>' + message.role + '\n' + content + '<|im_end|>' + '\n' }}
            {%- elif message.role == "assistant" %}
                {%- set reasoning_content = '' %}
                {%- if message.reasoning_content is string %}
                    {%- set reasoning_content = message.reasoning_content %}
                {%- else %}
                    {%- if '</think>' in content %}
                        {%- set reasoning_content = content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') %}
                        {%- set content = content.split('</think>')[-1].lstrip('\n') %}
                    {%- endif %}
                {%- endif %}
                {%- if loop.index0 > ns.last_query_index %}
                    {%- if loop.last or (not loop.last and reasoning_content) %}
                        {{- '<|im_start|>' + message.role + '\n<think>\n' + reasoning_content.strip('\n') + '\n</think>\n\n' + content.lstrip('\n') }}
                    {%- else %}
                        {{- '<|im_start|>' + message.role + '\n' + content }}
                    {%- endif %}
                {%- else %}
                    {{- '<|im_start|>' + message.role + '\n' + content }}
                {%- endif %}
                {{- '<|im_end|>\n' }}
            {%- elif message.role == "tool" %}
                {%- if loop.first or (messages[loop.index0 - 1].role != "tool") %}
                    {{- '<|im_start|>user' }}
                {%- endif %}
                {{- '\n<tool_response>\n' }}
                {{- content }}
                {{- '\n</tool_response>' }}
                {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
                    {{- '<|im_end|>\n' }}
                {%- endif %}
            {%- endif %}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|im_start|>assistant\n' }}
            {%- if enable_thinking is defined and enable_thinking is false %}
                {{- '<think>\n\n</think>\n\n' }}
            {%- endif %}
        {%- endif %}
        """;

    /// <summary>Llama 3.1's shape: a date preamble, the system message taken out of the list.</summary>
    public const string Llama31 = """
        {{- bos_token }}
        {%- if not date_string is defined %}
            {%- set date_string = "26 Jul 2024" %}
        {%- endif %}
        {%- if messages[0]['role'] == 'system' %}
            {%- set system_message = messages[0]['content']|trim %}
            {%- set messages = messages[1:] %}
        {%- else %}
            {%- set system_message = "" %}
        {%- endif %}
        {{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
        {{- "Cutting Knowledge Date: December 2023\n" }}
        {{- "Today Date: " + date_string + "\n\n" }}
        {{- system_message }}
        {{- "<|eot_id|>" }}
        {%- for message in messages %}
            {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' }}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
        {%- endif %}
        """;

    /// <summary>Llama 3.2's shape: <c>strftime_now</c>, built-in tools filtered with <c>reject</c>, tools in the first user message.</summary>
    public const string Llama32 = """
        {{- bos_token }}
        {%- if custom_tools is defined %}
            {%- set tools = custom_tools %}
        {%- endif %}
        {%- if not tools_in_user_message is defined %}
            {%- set tools_in_user_message = true %}
        {%- endif %}
        {%- if not date_string is defined %}
            {%- if strftime_now is defined %}
                {%- set date_string = strftime_now("%d %b %Y") %}
            {%- else %}
                {%- set date_string = "26 Jul 2024" %}
            {%- endif %}
        {%- endif %}
        {%- if not tools is defined %}
            {%- set tools = none %}
        {%- endif %}

        {#- This block extracts the system message, so we can slot it into the right place. #}
        {%- if messages[0]['role'] == 'system' %}
            {%- set system_message = messages[0]['content']|trim %}
            {%- set messages = messages[1:] %}
        {%- else %}
            {%- set system_message = "" %}
        {%- endif %}

        {#- System message #}
        {{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
        {%- if builtin_tools is defined or tools is not none %}
            {{- "Environment: ipython\n" }}
        {%- endif %}
        {%- if builtin_tools is defined %}
            {{- "Tools: " + builtin_tools | reject('equalto', 'code_interpreter') | join(", ") + "\n\n"}}
        {%- endif %}
        {{- "Cutting Knowledge Date: December 2023\n" }}
        {{- "Today Date: " + date_string + "\n\n" }}
        {{- system_message }}
        {{- "<|eot_id|>" }}

        {#- Custom tools are passed in a user message with some extra guidance #}
        {%- if tools_in_user_message and not tools is none %}
            {%- if messages | length != 0 %}
                {%- set first_user_message = messages[0]['content']|trim %}
                {%- set messages = messages[1:] %}
            {%- else %}
                {{- raise_exception("Cannot put tools in the first user message when there's no first user message!") }}
            {%- endif %}
            {{- '<|start_header_id|>user<|end_header_id|>\n\n' -}}
            {{- "Given the following functions, please respond with a JSON for a function call " }}
            {{- "with its proper arguments that best answers the given prompt.\n\n" }}
            {%- for t in tools %}
                {{- t | tojson(indent=4) }}
                {{- "\n\n" }}
            {%- endfor %}
            {{- first_user_message + "<|eot_id|>"}}
        {%- endif %}

        {%- for message in messages %}
            {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
                {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' }}
            {%- elif 'tool_calls' in message %}
                {%- if not message.tool_calls|length == 1 %}
                    {{- raise_exception("This model only supports single tool-calls at once!") }}
                {%- endif %}
                {%- set tool_call = message.tool_calls[0].function %}
                {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
                {{- '{"name": "' + tool_call.name + '", ' }}
                {{- '"parameters": ' }}
                {{- tool_call.arguments | tojson }}
                {{- "}" }}
                {{- "<|eot_id|>" }}
            {%- elif message.role == "tool" or message.role == "ipython" %}
                {{- "<|start_header_id|>ipython<|end_header_id|>\n\n" }}
                {%- if message.content is mapping or message.content is iterable %}
                    {{- message.content | tojson }}
                {%- else %}
                    {{- message.content }}
                {%- endif %}
                {{- "<|eot_id|>" }}
            {%- endif %}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
        {%- endif %}
        """;

    /// <summary>Windows line endings, a lone carriage return and trailing newlines, as a <c>chat_template.jinja</c> file may have them.</summary>
    public const string LineEndings = "a\r\nb{% if true %}\r\nc{% endif %}\r\nd\re{{ 'x\r\ny' }}{% for m in messages %}\r\n  {{ m.role }}{% endfor %}\n\n";

    /// <summary>Mistral's shape: roles must alternate, checked with <c>raise_exception</c>.</summary>
    public const string Mistral = """
        {{- bos_token }}
        {%- for message in messages %}
            {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
                {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
            {%- endif %}
            {%- if message['role'] == 'user' %}
                {{- '[INST] ' + message['content'] + ' [/INST]' }}
            {%- elif message['role'] == 'assistant' %}
                {{- ' ' + message['content'] + eos_token}}
            {%- else %}
                {{- raise_exception('Only user and assistant roles are supported!') }}
            {%- endif %}
        {%- endfor %}
        """;

    /// <summary>Block tags on their own lines, indented, without <c>-</c>: trim_blocks and lstrip_blocks at work.</summary>
    public const string Layout = """
        {# a comment on its own line #}
        {% for message in messages %}
            {% if loop.first %}
        first: {{ message.role }}
            {% elif loop.last %}
        last ({{ loop.index }}/{{ loop.length }}, {{ loop.revindex0 }} left): {{ message.role }}
            {% else %}
          middle {{ loop.index0 }}: {{ message.content|length }} chars
            {% endif %}
        {% endfor %}
          {%+ if true %}kept indent{% endif %}
        {% raw %}{{ not rendered }}{% endraw %}
        end {# inline comment -#}
           after
        """;

    /// <summary>Expressions, filters, tests and string methods, one per line.</summary>
    public const string Expressions = """
        {%- set words = ['b', 'a', 'c', 'a'] %}
        {%- set d = {'z': 1, 'y': [1, 2], 'x': none} %}
        {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 1.5 * 2 }} {{ 0.1 + 0.2 }} {{ 10 / 4 }} {{ 1e3 if false else 3.0 }}
        {{ 'ab' ~ 3 ~ none }} {{ 'x' * 3 }} {{ [1] + [2] }} {{ 'a' in 'cat' }} {{ 2 in [1, 2] }} {{ 'k' not in d }} {{ 'x' in d }}
        {{ words|join(',') }} {{ words|unique|list }} {{ words|sort }} {{ words|sort(reverse=true)|first }} {{ words|last }} {{ words|reverse|join }} {{ words|length }}
        {{ d|tojson }} {{ d.y|tojson(indent=2) }} {{ {'é': 'ü "q" \\ </tag>'}|tojson }} {{ d.items()|list }} {{ d.keys()|list }} {{ d.get('q', 'none') }} {{ d.get('z') }}
        {{ d|dictsort }} {{ d.z is number }} {{ d.x is none }} {{ d.q is defined }} {{ d.q is undefined }} {{ d.y is iterable }} {{ d is mapping }} {{ 'a' is string }}
        {{ '  pad  '|trim }}| {{ 'xxhixx'|trim('x') }} {{ '  l'.lstrip() }} {{ 'r  '.rstrip() }}| {{ '--a--'.strip('-') }} {{ 'Hello World'.lower() }} {{ 'hello world'|title }} {{ 'hELLO'|capitalize }}
        {{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'abc'.startswith('a') }} {{ 'abc'.endswith(('x', 'c')) }} {{ 'abcabc'.replace('b', 'B') }} {{ 'abcabc'|replace('a', 'A', 1) }} {{ 'abc'.find('c') }}
        {{ 'hello'[1:] }} {{ 'hello'[::-1] }} {{ 'hello'[-3:-1] }} {{ [1, 2, 3, 4][::2] }} {{ [1, 2, 3][-1] }} {{ words[10] is defined }} {{ 'hello'[0] }}
        {{ none }} {{ true }} {{ 3.0 }} {{ 2.5e-7 }} {{ [none, true, 'q', "it's"] }} {{ d }} {{ missing }}|{{ missing|default('dflt') }} {{ ''|default('e', true) }} {{ 0|default(5) }}
        {{ '42'|int + 1 }} {{ 'x'|int }} {{ '2.5'|float }} {{ 3|float }} {{ 3.9|int }} {{ 5|string ~ '!' }} {{ [3, 1, 2]|max }} {{ [3, 1, 2]|min }} {{ [1, 2, 3]|sum }} {{ -3|abs }}
        {{ messages|selectattr('role', 'equalto', 'user')|map(attribute='content')|join('|') }} {{ messages|rejectattr('role', 'eq', 'user')|list|length }} {{ messages|map(attribute='role')|unique|join(',') }}
        {{ 1 < 2 < 3 }} {{ not 1 == 2 }} {{ 1 if 0 else 2 }} {{ none or 'fallback' }} {{ 'x' and 'y' }} {{ (1, 2) }} {{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }}
        {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 'abc' is lower }} {{ 5 is gt 3 }} {{ 'x' is in ['x'] }} {{ 'line one\nline two'|indent(2) }} {{ 'a b  c'|wordcount }}
        {{ 3 > 2 > 1 }} {{ 2 == 2 == 2 }} {{ 0 < 20 < 10 }} {{ {'a': {'b': 1}} }} {{ {'a': 1}}} {{ messages.0.role }} {{ [1, 2].1 }} {{ (1,) }} {{ ('a', 'b',) }} {{ [missing] }}
        {{ '%s items' % 3 }} {{ '%d/%d' % (1, 2) }} {{ 3 * 'x' }} {{ '\x41\u00e9\U0001F600\t|' }} {{ 0 is sameas false }} {{ true is number }} {{ '123' is lower }} {{ 3.0 is odd }} {{ none is sameas none }}
        {{ "they're hello_world abc1def (x)"|title }} {{ ['b', 'A', 'a', 'B']|sort }} {{ ['b', 'A', 'a', 'B']|sort(reverse=true) }} {{ ['a', 'A']|unique|list }} {{ ['B', 'a']|max }} {{ {'aB': 1, 'a_b': 2}|dictsort }}
        {{ 'a\n  \nb'|indent(2) }}|{{ '\nb'|indent(2, true) }}|{{ 'x\n'|indent(2) }}|{{ '<a href="x">&\'</a>'|e }} {{ '<b>x</b>  y &amp; z'|striptags }}
        {{ {'a': 1, 'b': [1, {'c': none}]}|tojson(indent=2) }} {{ '😀é\u001b\u007f "q"'|tojson }} {{ {'z': 1, 'a': 2}|tojson(sort_keys=true) }} {{ 'é'|tojson(true) }}
        {{ [{'function': {'name': 'f'}}]|map(attribute='function.name')|list }} {{ [{'function': {'name': 'f'}}, {'function': {}}]|selectattr('function.name', 'defined')|list|length }} {{ [[1, 2], [3]]|map(attribute=0)|list }}
        {{ 'a  b  c'.split(None, 1) }} {{ 'a\nb\n'.splitlines() }} {{ ''.splitlines() }} {{ '  a  '.strip('') }}| {{ '😀'|length }} {{ 'a😀b'[1] }} {{ 'a😀b'[::-1] }} {{ 'a😀b'|reverse }}
        {{ [1, 2, 3]|select('odd')|list }} {{ ['a', 'code_interpreter']|reject('equalto', 'code_interpreter')|join(', ') }} {{ [0, 1, '']|select|list }} {% if messages|selectattr('role', 'equalto', 'nobody') %}HAS{% else %}NONE{% endif %}
        {{ 'a</think>b</think>c'.partition('</think>') }} {{ 'abc'.partition('x') }} {{ 'a</think>b</think>c'.rpartition('</think>')[2] }} {{ 'abc'.rpartition('x') }} {{ '%s-%d'|format('a', 3) }} {{ '%s!'|format('hi') }}
        {{ 'a b c'.rsplit(' ', 1) }} {{ 'xab'.removeprefix('x') }} {{ 'abx'.removesuffix('x') }} {{ 'abcabc'.rfind('b') }} {{ [3, 1]|reverse|list }} {{ {'k': 'v'}|items|list }}
        """;

    /// <summary>Loop controls, tuple unpacking, nested loops, set blocks, macros and namespaces.</summary>
    public const string Statements = """
        {%- for message in messages if message.role != 'system' %}
            {%- if loop.index > 3 %}{% break %}{% endif %}
            {%- if message.role == 'assistant' %}{% continue %}{% endif %}
            [{{ loop.index }}:{{ message.content[:5] }}]
        {%- else %}
            no messages
        {%- endfor %}
        {%- for key, value in {'a': 1, 'b': 2}.items() %} {{ key }}={{ value }}{% endfor %}
        {%- for x in [] %}never{% else %} empty-else{% endfor %}
        {%- for row in [[1, 2], [3]] %}{% for cell in row %} {{ loop.index }}.{{ cell }}{% endfor %};{% endfor %}
        {%- set greeting %}Hello, {{ messages[0].role }}!{% endset %} {{ greeting|upper }}
        {%- macro turn(role, text='(none)') %}<{{ role }}>{{ text }}</{{ role }}>{% endmacro %} {{ turn('a') }}{{ turn('b', 'x') }}{{ turn(text='y', role='c') }}
        {%- set ns = namespace(count=0, seen=[]) %}
        {%- for message in messages %}{% set ns.count = ns.count + message.content|length %}{% endfor %} {{ ns.count }}
        {%- set outer = 'outer' %}{% for i in range(2) %}{% set outer = 'inner' %}{% endfor %} {{ outer }}
        {%- set a, b = 1, 2 %} {{ a + b }}
        {%- for m in messages %}{% if loop.first %}{% set first_role = m.role %}{% endif %}{{ first_role }};{% endfor %}
        {%- set system = '' %}{% for m in messages %}{% if m.role == 'system' %}{% set system = system + m.content %}{% endif %}{% if m.role == 'user' %}[{{ system }}]{% endif %}{% endfor %}
        {%- set x = 5 %}{% for i in range(2) %}{{ x }}{% set x = 7 %}{% endfor %} {{ x }}
        {%- for m in [1, 2] if m > 5 %}{% else %}[{{ m }}]{% endfor %}
        {%- macro shows() %}<{{ message }}>{% endmacro %}{% for message in ['a'] %}{{ shows() }}{% endfor %}
        {%- macro pair(a, b=a) %}{{ a }}{{ b }}{% endmacro %} {{ pair(1) }}
        {%- for x in 1, 2 %}{{ x }}{% endfor %} {% for a, b in ['ab'] %}{{ a }}-{{ b }}{% endfor %}
        """;
}
