// The official OpenAI Node SDK, unmodified, against a running Quicksilver gateway: every call an app developer makes
// (models, completions and chat, plain and streamed, the SDK's own stream helper, log-probabilities) and every error
// class the SDK maps a status to must come out as it would from OpenAI. Run by
// tests/Quicksilver.Gateway.Tests/EndToEnd/NodeOpenAISdkTests.cs, which starts the platform and sets:
//   QS_BASE_URL      the gateway's /v1 address
//   QS_MODEL         the served model's id
//   QS_API_KEY       a tenant without limits
//   QS_LIMITED_KEY   a tenant allowed two requests a minute (used only by the rate-limit test)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';

const { QS_BASE_URL: baseURL, QS_MODEL: model, QS_API_KEY: apiKey, QS_LIMITED_KEY: limitedKey } = process.env;
assert.ok(baseURL && model && apiKey && limitedKey, 'QS_BASE_URL, QS_MODEL, QS_API_KEY and QS_LIMITED_KEY must be set');

// No retries: a 429 or 5xx must reach the test as the SDK's error, not be retried away.
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 120_000 });

// Greedy and exactly max_tokens long (ignore_eos, vLLM's extension), so plain and streamed answers can be compared.
const greedy = { temperature: 0, max_tokens: 12, ignore_eos: true };
const prompt = 'And God said';
const messages = [{ role: 'user', content: 'Who made the heaven and the earth?' }];

test('models.list names the served model, models.retrieve gives its card or NotFoundError', async () => {
  const ids = [];
  for await (const entry of client.models.list()) {
    assert.equal(entry.object, 'model');
    ids.push(entry.id);
  }
  assert.ok(ids.includes(model), `${model} not in ${ids}`);

  const card = await client.models.retrieve(model);
  assert.equal(card.id, model);
  assert.equal(card.object, 'model');
  await assert.rejects(client.models.retrieve('org/no-such-model'), error => error instanceof OpenAI.NotFoundError);
});

test('completions.create: text, finish reason, usage and the request id', async () => {
  const { data, response, request_id } = await client.completions.create({ model, prompt, ...greedy }).withResponse();

  assert.equal(response.status, 200);
  assert.equal(data.object, 'text_completion');
  assert.equal(data.model, model);
  assert.equal(data.choices.length, 1);
  assert.equal(data.choices[0].index, 0);
  assert.equal(data.choices[0].finish_reason, 'length');
  assert.ok(data.choices[0].text.length > 0, 'empty answer');
  assert.equal(data.usage.completion_tokens, greedy.max_tokens);
  assert.ok(data.usage.prompt_tokens > 0);
  assert.equal(data.usage.total_tokens, data.usage.prompt_tokens + data.usage.completion_tokens);
  assert.match(request_id, /^req_[0-9a-f]{32}$/);
});

test('completions.create streamed: the chunks add up to the plain answer, then the usage chunk', async () => {
  const plain = await client.completions.create({ model, prompt, ...greedy });
  const stream = await client.completions.create({ model, prompt, ...greedy, stream: true, stream_options: { include_usage: true } });

  let text = '';
  let finish = null;
  let usage = null;
  const ids = new Set();
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'text_completion');
    ids.add(chunk.id);
    if (chunk.usage) {
      assert.equal(chunk.choices.length, 0, 'the usage chunk carries no choices');
      usage = chunk.usage;
      continue;
    }
    text += chunk.choices[0].text;
    finish = chunk.choices[0].finish_reason ?? finish;
  }

  assert.equal(ids.size, 1, `one id for the whole stream, not ${[...ids]}`);
  assert.equal(text, plain.choices[0].text);
  assert.equal(finish, 'length');
  assert.deepEqual(
    [usage.prompt_tokens, usage.completion_tokens],
    [plain.usage.prompt_tokens, plain.usage.completion_tokens]);
});

test('completions with echo, stop, logprobs and best_of: the fields the SDK types carry', async () => {
  const plain = await client.completions.create({ model, prompt, ...greedy });
  const cut = plain.choices[0].text.trim().split(' ')[1];
  const completion = await client.completions.create({
    model, prompt, ...greedy, echo: true, stop: [cut], logprobs: 2, best_of: 2, n: 1, seed: 11,
  });
  const choice = completion.choices[0];

  assert.ok(choice.text.startsWith(prompt), 'echo puts the prompt first');
  assert.ok(!choice.text.slice(prompt.length).includes(cut), `the stop sequence ${JSON.stringify(cut)} is not emitted`);
  assert.equal(choice.finish_reason, 'stop');
  const { tokens, token_logprobs, top_logprobs, text_offset } = choice.logprobs;
  assert.equal(token_logprobs.length, tokens.length);
  assert.equal(text_offset.length, tokens.length);
  assert.ok(text_offset.every(offset => offset >= prompt.length), 'offsets start after the echoed prompt');
  assert.ok(top_logprobs.every(top => Object.keys(top).length >= 1 && Object.keys(top).length <= 3));
});

test('a seeded sampled completion is the same twice', async () => {
  const sampled = { model, prompt, max_tokens: 12, temperature: 1, seed: 1234 };
  const [first, second] = [await client.completions.create(sampled), await client.completions.create(sampled)];
  assert.equal(first.choices[0].text, second.choices[0].text);
});

test('chat.completions.create: an assistant message and its usage', async () => {
  const completion = await client.chat.completions.create({ model, messages, ...greedy });

  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.choices[0].message.role, 'assistant');
  assert.equal(typeof completion.choices[0].message.content, 'string');
  assert.equal(completion.choices[0].finish_reason, 'length');
  assert.equal(completion.usage.completion_tokens, greedy.max_tokens);
});

test('chat.completions.stream (the SDK helper) rebuilds the plain answer from the chunks', async () => {
  const plain = await client.chat.completions.create({ model, messages, ...greedy });
  const stream = client.chat.completions.stream({ model, messages, ...greedy, stream_options: { include_usage: true } });
  const roles = [];
  stream.on('chunk', chunk => {
    assert.equal(chunk.object, 'chat.completion.chunk');
    for (const choice of chunk.choices) {
      if (choice.delta.role) {
        roles.push(choice.delta.role);
      }
    }
  });

  const final = await stream.finalChatCompletion();

  assert.deepEqual(roles, ['assistant']);
  assert.equal(final.choices[0].message.content, plain.choices[0].message.content);
  assert.equal(final.choices[0].finish_reason, 'length');
  assert.equal(final.usage.completion_tokens, greedy.max_tokens);
});

test('chat.completions.create streamed with n = 2: every choice ends, each with its own index', async () => {
  const stream = await client.chat.completions.create({ model, messages, max_tokens: 8, n: 2, seed: 7, stream: true });
  const finishes = new Map();
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      if (choice.finish_reason) {
        finishes.set(choice.index, choice.finish_reason);
      }
    }
  }
  assert.deepEqual([...finishes.keys()].sort(), [0, 1]);
});

test('chat log-probabilities: one entry per answer token, with its alternatives', async () => {
  const completion = await client.chat.completions.create({ model, messages, ...greedy, logprobs: true, top_logprobs: 2 });
  const content = completion.choices[0].logprobs.content;

  assert.equal(content.length, greedy.max_tokens);
  for (const entry of content) {
    assert.equal(typeof entry.token, 'string');
    assert.ok(entry.logprob <= 0);
    assert.ok(Array.isArray(entry.bytes));
    assert.equal(entry.top_logprobs.length, 2);
  }
});

test('a bad request is the SDK\'s BadRequestError naming the field', async () => {
  await assert.rejects(
    client.completions.create({ model, prompt, max_tokens: -1 }),
    error => {
      assert.ok(error instanceof OpenAI.BadRequestError, `${error.constructor.name}: ${error.message}`);
      assert.equal(error.status, 400);
      assert.equal(error.param, 'max_tokens');
      assert.match(error.requestID, /^req_[0-9a-f]{32}$/);
      return true;
    });
});

test('an unknown model is NotFoundError, a wrong key AuthenticationError', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'no-such-model', messages }),
    error => error instanceof OpenAI.NotFoundError && error.status === 404);
  const stranger = new OpenAI({ baseURL, apiKey: 'qs-not-a-key', maxRetries: 0 });
  await assert.rejects(
    stranger.completions.create({ model, prompt, max_tokens: 4 }),
    error => error instanceof OpenAI.AuthenticationError && error.status === 401);
});

test('past the tenant\'s requests per minute: RateLimitError with Retry-After and the x-ratelimit headers', async () => {
  const limited = new OpenAI({ baseURL, apiKey: limitedKey, maxRetries: 0 });
  const small = { model, prompt, max_tokens: 4 };
  await limited.completions.create(small);
  await limited.completions.create(small);

  await assert.rejects(
    limited.completions.create(small),
    error => {
      assert.ok(error instanceof OpenAI.RateLimitError, `${error.constructor.name}: ${error.message}`);
      assert.ok(Number(error.headers.get('retry-after')) >= 1);
      assert.equal(error.headers.get('x-ratelimit-limit-requests'), '2');
      assert.equal(error.headers.get('x-ratelimit-remaining-requests'), '0');
      return true;
    });
});
