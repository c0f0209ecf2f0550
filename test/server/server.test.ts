import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { PocketModel } from '../../src/engine/pocket-model.js';
import { type RunningServer, startServer } from '../../src/server/serve.js';
import { smallModel } from '../helpers/models.js';

let model: PocketModel;
let server: RunningServer;
let client: OpenAI;
const KEY = 'sk-test-123';

before(async () => {
  model = await PocketModel.load(smallModel({ type: 'q8_0' }), { backend: 'wasm', threads: 1 });
  server = await startServer(model, {
    modelId: 'tiny',
    port: 0,
    apiKeys: [KEY],
    maxTokens: 64,
    maxBodyBytes: 64 * 1024,
    maxConcurrent: 2,
    maxQueue: 4,
  });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: KEY, maxRetries: 0 });
});
after(async () => {
  await server?.close();
  model?.dispose();
});

test('models and health', async () => {
  const list = await client.models.list();
  assert.deepEqual(
    list.data.map((m) => m.id),
    ['tiny'],
  );
  const h = await fetch(`${server.url}/health`);
  assert.equal((await h.json()).status, 'ok');
});

test('chat completion, non-streaming and streaming, agree under a seed', async () => {
  const params = {
    model: 'tiny',
    messages: [{ role: 'user' as const, content: 'Say hi' }],
    max_tokens: 8,
    temperature: 0.7,
    seed: 5,
  };
  const r = await client.chat.completions.create(params);
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0]!.message.role, 'assistant');
  assert.ok(['stop', 'length'].includes(r.choices[0]!.finish_reason));
  assert.ok(r.usage!.completion_tokens <= 8 && r.usage!.prompt_tokens > 0);
  const stream = await client.chat.completions.create({
    ...params,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let chunks = 0;
  let finish: string | null = null;
  for await (const c of stream) {
    chunks++;
    text += c.choices[0]?.delta?.content ?? '';
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  assert.ok(chunks >= 2);
  assert.equal(text, r.choices[0]!.message.content);
  assert.equal(finish, r.choices[0]!.finish_reason);
});

test('text completions, streaming and not', async () => {
  const r = await client.completions.create({
    model: 'tiny',
    prompt: 'Once upon',
    max_tokens: 6,
    temperature: 0,
  });
  assert.equal(r.object, 'text_completion');
  assert.equal(
    r.usage!.completion_tokens,
    r.choices[0]!.finish_reason === 'length' ? 6 : r.usage!.completion_tokens,
  );
  const s = await client.completions.create({
    model: 'tiny',
    prompt: 'Once upon',
    max_tokens: 6,
    temperature: 0,
    stream: true,
  });
  let text = '';
  for await (const c of s) text += c.choices[0]?.text ?? '';
  assert.equal(text, r.choices[0]!.text);
});

test('embeddings: one normalized vector per input, float and base64', async () => {
  const r = await client.embeddings.create({ model: 'tiny', input: ['hello world', 'goodbye'] });
  assert.equal(r.data.length, 2);
  const v = r.data[0]!.embedding;
  assert.equal(v.length, model.config.nEmbd);
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-4);
  const again = await client.embeddings.create({ model: 'tiny', input: 'hello world' });
  assert.deepEqual(
    again.data[0]!.embedding.map((x) => Number(x.toFixed(5))),
    v.map((x) => Number(x.toFixed(5))),
  );
});

test('json_schema output always parses and validates', async () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 12 },
      age: { type: 'integer' },
      ok: { type: 'boolean' },
    },
    required: ['name', 'age', 'ok'],
    additionalProperties: false,
  };
  for (const seed of [1, 2, 3]) {
    const r = await client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'A person' }],
      max_tokens: 64,
      temperature: 1,
      seed,
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema } },
    });
    const text = r.choices[0]!.message.content!;
    if (r.choices[0]!.finish_reason === 'length') continue; // cut by max_tokens: nothing to validate
    const doc = JSON.parse(text);
    assert.equal(typeof doc.name, 'string');
    assert.ok(Number.isInteger(doc.age));
    assert.equal(typeof doc.ok, 'boolean');
    assert.deepEqual(Object.keys(doc).sort(), ['age', 'name', 'ok']);
  }
});

test('API key required; bad requests get OpenAI-shaped 4xx errors', async () => {
  const noKey = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(noKey.models.list(), (e: { status?: number }) => e.status === 401);
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
      body,
    });
  const cases: Array<[string, number, Record<string, string>?]> = [
    ['{', 400],
    ['[]', 400],
    ['{"messages": []}', 400],
    ['{"messages": [{"role": "wizard", "content": "x"}]}', 400],
    ['{"messages": [{"role": "user", "content": 5}]}', 400],
    ['{"messages": [{"role": "user", "content": "x"}], "temperature": "hot"}', 400],
    ['{"messages": [{"role": "user", "content": "x"}], "max_tokens": 100000}', 400],
    ['{"messages": [{"role": "user", "content": "x"}], "n": 3}', 400],
    ['{"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "xml"}}', 400],
    [JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] }), 413],
    ['{"messages": [{"role": "user", "content": "x"}]}', 415, { 'content-type': 'text/plain' }],
  ];
  for (const [body, status, headers] of cases) {
    const r = await post(body, headers);
    assert.equal(r.status, status, body.slice(0, 80));
    const j = await r.json();
    assert.equal(typeof j.error.message, 'string');
    assert.equal(typeof j.error.type, 'string');
  }
  const nf = await fetch(`${server.url}/v1/nope`, { headers: { authorization: `Bearer ${KEY}` } });
  assert.equal(nf.status, 404);
});

test('fuzzed bodies and headers: every one answered with a 4xx JSON error, server stays up', async () => {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const atoms = [
    '{',
    '}',
    '[',
    ']',
    '"messages"',
    ':',
    ',',
    '"role"',
    '"user"',
    '"content"',
    '1e999',
    'null',
    'true',
    '"\\u0000"',
    '"max_tokens"',
    '-1',
    '"stop"',
    '\u00ff',
    '"temperature"',
    '9',
  ];
  for (let i = 0; i < 150; i++) {
    const n = 1 + Math.floor(rnd() * 12);
    let body = '';
    for (let j = 0; j < n; j++) body += atoms[Math.floor(rnd() * atoms.length)];
    const headers: Record<string, string> = {
      authorization: `Bearer ${KEY}`,
      'content-type': rnd() < 0.9 ? 'application/json' : 'application/x-fuzz',
    };
    const r = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers, body });
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status} for ${JSON.stringify(body)}`);
    const j = await r.json();
    assert.ok(j.error?.message, JSON.stringify(j));
  }
  assert.equal((await fetch(`${server.url}/health`)).status, 200);
});

test('a client that disconnects cancels its generation', async () => {
  const ctl = new AbortController();
  const stream = await client.chat.completions.create(
    {
      model: 'tiny',
      messages: [{ role: 'user', content: 'go' }],
      max_tokens: 64,
      temperature: 1,
      seed: 1,
      stream: true,
    },
    { signal: ctl.signal },
  );
  let n = 0;
  try {
    for await (const _ of stream) {
      if (++n === 3) ctl.abort();
    }
  } catch {
    // aborted
  }
  // The slot frees quickly (well before 64 tokens would have been generated).
  const t0 = Date.now();
  for (;;) {
    const h = await (await fetch(`${server.url}/health`)).json();
    if (h.running === 0) break;
    assert.ok(Date.now() - t0 < 5000, 'generation was not cancelled');
    await new Promise((r) => setTimeout(r, 20));
  }
});
