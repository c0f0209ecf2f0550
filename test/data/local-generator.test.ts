// Local-engine TextGenerator: context fitting on a stub, and annotate/synth through the CLI on models/default.gguf.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataAnnotate, dataSynth } from '../../src/data/cli.js';
import { eduPrompt } from '../../src/data/edu/prompt.js';
import type { ChatMessage } from '../../src/data/generator.js';
import { type LocalModel, localGenerator } from '../../src/data/local-generator.js';
import { educationalPage, seededRandom } from '../../src/data/synthetic-web.js';
import { tmp } from './helpers.js';

test('localGenerator: long prompts keep their first token and their end; output budget ≤ half the context', async () => {
  const seen: { prompt: number[]; maxTokens: number; nCtx?: number }[] = [];
  const stub: LocalModel = {
    config: { nCtxTrain: 32 },
    applyChatTemplate: (m: ChatMessage[]) => `<s>${m.map((x) => x.content).join(' ')}<a>`,
    tokenize: (t: string) => [...t].map((c) => c.charCodeAt(0)),
    async complete(prompt, opts) {
      seen.push({ prompt, maxTokens: opts.maxTokens, nCtx: opts.nCtx });
      return { text: `ok ${prompt.length}`, tokens: [1, 2, 3] };
    },
  };
  const g = localGenerator(stub);
  assert.equal(await g.complete([{ role: 'user', content: 'hi' }], { maxTokens: 8, temperature: 0 }), 'ok 8');
  assert.deepEqual(seen[0], { prompt: [...'<s>hi<a>'].map((c) => c.charCodeAt(0)), maxTokens: 8, nCtx: 32 });
  const long = 'x'.repeat(100);
  await g.complete([{ role: 'user', content: long }], { maxTokens: 500, temperature: 0 });
  const p = seen[1] as { prompt: number[]; maxTokens: number };
  assert.equal(p.maxTokens, 16);
  assert.equal(p.prompt.length, 16);
  assert.equal(String.fromCharCode(...p.prompt), `<${'x'.repeat(12)}<a>`);
  assert.deepEqual(g.usage, { calls: 2, promptTokens: 24, generatedTokens: 6, truncated: 1 });
});

test('annotate and synth run on the local engine (models/default.gguf): deterministic, resumable', async () => {
  const dir = tmp();
  const r = seededRandom(3);
  const input = join(dir, 'web.jsonl');
  writeFileSync(
    input,
    [0, 1, 2].map((i) => `${JSON.stringify({ id: `w${i}`, text: educationalPage(r, 2) })}\n`).join(''),
  );
  const out = join(dir, 'annotated.jsonl');
  const args = { input, output: out, local: 'models/default.gguf', threads: 1, concurrency: 1 };
  const logs: string[] = [];
  const log = console.log;
  console.log = (s: string) => logs.push(s);
  try {
    await dataAnnotate(args);
    // the 1.4M-parameter default model rarely writes a parsable score line: every doc is annotated or unparsable
    const m = /annotated (\d+), skipped (\d+) \(already done\), unparsable (\d+)/.exec(logs[0] ?? '');
    assert.ok(m, logs[0]);
    assert.equal(Number(m[1]) + Number(m[3]), 3);
    await dataSynth({
      'out-dir': join(dir, 'syn'),
      topics: 'rivers,magnets',
      formats: 'story',
      local: 'models/default.gguf',
      threads: 1,
    });
  } finally {
    console.log = log;
  }
  const syn = readFileSync(join(dir, 'syn', 'synthetic.jsonl'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(syn.length, 2);
  for (const l of syn) assert.ok((JSON.parse(l) as { text: string }).text.length > 0);
  // same prompt, temperature 0, seed 0: the same reply twice from a fresh engine
  const { PocketModel } = await import('../../src/engine/pocket-model.js');
  const g1 = localGenerator(await PocketModel.load('models/default.gguf', { threads: 1 }));
  const msgs = eduPrompt(educationalPage(seededRandom(9), 2), 3000);
  const a = await g1.complete(msgs, { maxTokens: 40, temperature: 0, seed: 0 });
  const b = await g1.complete(msgs, { maxTokens: 40, temperature: 0, seed: 0 });
  assert.equal(a, b);
  assert.ok(a.length > 0);
  assert.equal(g1.usage.truncated, 2, 'the rubric does not fit a 128-token context');
});
