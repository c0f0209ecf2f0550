// Educational value: rubric parsing, annotate via a fake OpenAI-compatible server (retries, cache, resume), classifier.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Document } from '../../src/data/document.js';
import { annotate } from '../../src/data/edu/annotate.js';
import {
  evaluate,
  loadClassifier,
  predict,
  saveClassifier,
  trainClassifier,
} from '../../src/data/edu/classifier.js';
import { eduPrompt, parseEduScore } from '../../src/data/edu/prompt.js';
import { scoreStage } from '../../src/data/edu/score-stage.js';
import { cachedGenerator, OpenAICompatibleGenerator } from '../../src/data/generator.js';
import { educationalPage, seededRandom } from '../../src/data/synthetic-web.js';
import { startFakeOpenAI } from './fake-openai.js';
import { tmp } from './helpers.js';

test('prompt asks for an additive 0–5 score; parser takes the last "Educational score: N"', () => {
  const m = eduPrompt('x'.repeat(5000), 100);
  assert.match(m[1]?.content ?? '', /Educational score: N/);
  assert.match(m[1]?.content ?? '', /\[…truncated\]/);
  assert.deepEqual(parseEduScore('Good page.\nEducational score: 4'), {
    score: 4,
    justification: 'Good page.',
  });
  assert.equal(parseEduScore('Educational score: 2 ... on reflection\nEducational score: **3**')?.score, 3);
  assert.equal(parseEduScore('score: 9'), null);
  assert.equal(parseEduScore('Educational score: 7'), null);
});

const spam = (r: () => number) =>
  `Buy now ${Math.floor(r() * 1000)} cheap deals discount offer sale click here best price shop today free shipping.`;

function docs(n: number): Document[] {
  const r = seededRandom(9);
  return Array.from({ length: n }, (_, i) => ({
    id: `d${i}`,
    text: i % 2 ? educationalPage(r, 2) : spam(r),
    metadata: {},
  }));
}

/** The fake grader: educational pages get 4, spam 1. */
const grader = (prompt: string) =>
  prompt.includes('Buy now')
    ? 'Advertising only.\nEducational score: 1'
    : 'Explains a topic.\nEducational score: 4';

async function* iter(ds: Document[]) {
  yield* ds.map((d) => ({ ...d, metadata: { ...d.metadata } }));
}

test('annotate: retries 503s with backoff, caches responses, resumes without repeating work', async () => {
  const srv = await startFakeOpenAI(grader, 2);
  try {
    const dir = tmp();
    const out = join(dir, 'ann.jsonl');
    const gen = cachedGenerator(
      new OpenAICompatibleGenerator({ baseUrl: srv.url, model: 'fake', backoffMs: 5 }),
      join(dir, 'cache'),
      'fake',
    );
    const ds = docs(12);
    const r1 = await annotate(iter(ds), { generator: gen, output: out, concurrency: 3, limit: 5 });
    assert.equal(r1.annotated, 5);
    assert.equal(srv.requests.length, 5); // two 503s were retried
    const r2 = await annotate(iter(ds), { generator: gen, output: out, concurrency: 3 });
    assert.equal(r2.skipped, 5);
    assert.equal(r2.annotated, 7);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.id),
      ds.map((d) => d.id),
    ); // input order, no duplicates
    assert.equal(lines[0].metadata.edu_score, 1);
    assert.equal(lines[1].metadata.edu_score, 4);
    assert.equal(lines[1].metadata.edu_justification, 'Explains a topic.');
    // a fresh output file re-uses the disk cache: no new requests
    const before = srv.requests.length;
    await annotate(iter(ds), { generator: gen, output: join(dir, 'again.jsonl') });
    assert.equal(srv.requests.length, before);
    assert.ok(readdirSync(join(dir, 'cache')).length > 0);
    assert.equal(srv.requests[0]?.body.seed, 0);
  } finally {
    await srv.close();
  }
});

test('generator: 4xx errors are not retried and name the URL; retries are bounded', async () => {
  const srv = await startFakeOpenAI(grader, 100);
  try {
    const g = new OpenAICompatibleGenerator({ baseUrl: srv.url, model: 'm', retries: 3, backoffMs: 1 });
    await assert.rejects(
      g.complete([{ role: 'user', content: 'hi' }], { maxTokens: 5, temperature: 0 }),
      /giving up after 3 attempts: .*HTTP 503/,
    );
    const bad = new OpenAICompatibleGenerator({ baseUrl: `${srv.url}/nope`, model: 'm', backoffMs: 1 });
    await assert.rejects(
      bad.complete([{ role: 'user', content: 'hi' }], { maxTokens: 5, temperature: 0 }),
      /HTTP 404/,
    );
  } finally {
    await srv.close();
  }
});

test('classifier: hashed n-gram regression reaches F1@3 ≥ 0.9 on a separable synthetic task; score stage', async () => {
  const r = seededRandom(3);
  const data = Array.from({ length: 300 }, (_, i) =>
    i % 3 === 0
      ? { text: spam(r), score: 0 + Math.floor(r() * 2) }
      : { text: educationalPage(r, 2), score: 3 + Math.floor(r() * 3) },
  );
  const t = trainClassifier(data, { epochs: 4, bits: 16 });
  assert.ok(t.val.n === 60);
  assert.ok(t.val.f1_at_3 >= 0.9, `F1 ${t.val.f1_at_3}`);
  assert.equal(
    t.val.confusion.flat().reduce((a, b) => a + b, 0),
    60,
  );
  const dir = tmp();
  await saveClassifier(t.model, join(dir, 'm.json'));
  const back = await loadClassifier(join(dir, 'm.json'));
  assert.equal(predict(back, 'Buy now cheap deals'), predict(t.model, 'Buy now cheap deals'));
  assert.deepEqual(evaluate(back, data.slice(0, 10)), evaluate(t.model, data.slice(0, 10)));
  const st = await scoreStage({ model: 'm.json' }, dir);
  const out: Document[] = [];
  for await (const d of st.run(iter([{ id: 'a', text: educationalPage(r, 2), metadata: {} }]), {} as never))
    out.push(d);
  assert.ok((out[0]?.metadata.edu_score as number) > 2.5);
  writeFileSync(join(dir, 'bad.json'), '{"format":"other"}');
  await assert.rejects(loadClassifier(join(dir, 'bad.json')), /format is other/);
});
