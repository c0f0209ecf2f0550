// Synthetic data jobs (resumable, via a fake OpenAI-compatible server) and two-phase token mixtures.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataMix } from '../../src/data/cli.js';
import { OpenAICompatibleGenerator } from '../../src/data/generator.js';
import { byteTokenizer, idFraction, runMix } from '../../src/data/mix/mix.js';
import { loadMixSpec } from '../../src/data/mix/spec.js';
import type { TokenManifest } from '../../src/data/mix/token-shards.js';
import { synthPrompt } from '../../src/data/synth/prompts.js';
import { jobId, makeJobs, runSynth, topicsFromDocs } from '../../src/data/synth/synth.js';
import { startFakeOpenAI } from './fake-openai.js';
import { tmp } from './helpers.js';

test('jobs: topics × formats × audiences with stable hash ids', () => {
  const jobs = makeJobs(['fractions', 'volcanoes'], ['textbook', 'qa'], ['middle_school'], 2);
  assert.equal(jobs.length, 8);
  assert.equal(jobs[0]?.id, jobId('fractions', 'textbook', 'middle_school', 0));
  assert.equal(new Set(jobs.map((j) => j.id)).size, 8);
  assert.throws(() => makeJobs(['x'], ['poem'], ['a']), /unknown format "poem"/);
  assert.match(
    synthPrompt('fractions', 'exercise', 'young_children')[1]?.content ?? '',
    /children aged 6 to 8[\s\S]*"Solution"/,
  );
  const topics = topicsFromDocs([
    { id: '1', text: '# Fractions made easy\n\nText', metadata: { edu_score: 4 } },
    { id: '2', text: 'Spam spam', metadata: { edu_score: 1 } },
    {
      id: '3',
      text: 'no heading here at all in this text for the topic',
      metadata: { edu_score: 3, title: 'Volcanoes' },
    },
  ]);
  assert.deepEqual(topics, ['Fractions made easy', 'Volcanoes']);
});

test('runSynth: generates each job once, resumes after a partial write', async () => {
  const srv = await startFakeOpenAI(
    (p) => `# Lesson\n\nThis lesson is about ${/topic "([^"]+)"/.exec(p)?.[1]}. It explains the idea.`,
  );
  try {
    const dir = tmp();
    const gen = new OpenAICompatibleGenerator({ baseUrl: srv.url, model: 'fake' });
    const jobs = makeJobs(['fractions', 'volcanoes', 'magnets'], ['textbook', 'story'], ['middle_school']);
    const r1 = await runSynth(jobs.slice(0, 4), { generator: gen, outDir: dir, concurrency: 2 });
    assert.equal(r1.generated, 4);
    // simulate a kill mid-append: a partial JSON line at the end
    writeFileSync(
      join(dir, 'synthetic.jsonl'),
      `${readFileSync(join(dir, 'synthetic.jsonl'), 'utf8')}{"id":"partial`,
    );
    const r2 = await runSynth(jobs, { generator: gen, outDir: dir, concurrency: 2 });
    assert.equal(r2.skipped, 4);
    assert.equal(r2.generated, 2);
    const lines = readFileSync(join(dir, 'synthetic.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.id),
      jobs.map((j) => j.id),
    );
    assert.equal(lines[0].metadata.synthetic, true);
    assert.match(lines[0].text, /about fractions/);
    assert.equal(srv.requests.length, 6);
  } finally {
    await srv.close();
  }
});

function writeSources(dir: string) {
  const web = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({ id: `w${i}`, text: `web document number ${i}`, metadata: { edu_score: i % 5 } }),
  );
  const syn = Array.from({ length: 10 }, (_, i) =>
    JSON.stringify({ id: `s${i}`, text: `synthetic lesson ${i}`, metadata: {} }),
  );
  writeFileSync(join(dir, 'web.jsonl'), `${web.join('\n')}\n`);
  writeFileSync(join(dir, 'syn.jsonl'), `${syn.join('\n')}\n`);
}

test('two-phase mixture: manifest format, eos-separated uint16 tokens, train/val split by id, epochs', async () => {
  const dir = tmp();
  writeSources(dir);
  writeFileSync(
    join(dir, 'mix.yaml'),
    `name: two-phase\noutput_dir: tokens\nval_fraction: 0.2\nseed: 1\nshard_tokens: 400\nphases:\n  - name: phase1\n    sources:\n      - {name: web, paths: [web.jsonl]}\n  - name: phase2\n    sources:\n      - {name: web-edu, paths: [web.jsonl], where: {field: edu_score, min: 3}, epochs: 2}\n      - {name: synthetic, paths: [syn.jsonl], epochs: 1.5}\n`,
  );
  const spec = loadMixSpec(join(dir, 'mix.yaml'));
  const { manifest, report } = await runMix(spec, byteTokenizer);
  const onDisk = JSON.parse(readFileSync(join(dir, 'tokens', 'manifest.json'), 'utf8')) as TokenManifest;
  assert.deepEqual(onDisk, manifest);
  assert.deepEqual(Object.keys(onDisk), ['format', 'dtype', 'vocab_size', 'eos_id', 'phases']);
  assert.equal(onDisk.format, 'pocketlm-tokens-v1');
  assert.equal(onDisk.dtype, 'uint16');
  assert.equal(onDisk.vocab_size, 257);
  assert.equal(onDisk.eos_id, 256);
  assert.deepEqual(
    onDisk.phases.map((p) => p.name),
    ['phase1', 'phase2'],
  );
  const p1 = onDisk.phases[0]!;
  assert.ok(p1.splits.train.length >= 2, 'rolls over at shard_tokens');
  assert.equal(p1.splits.train[0]?.file, 'phase1-train-00000.bin');
  // decode phase 1: every document ends with eos, docs are the web texts, split decided by id
  const docsIn = (files: { file: string; tokens: number }[]) => {
    const out: string[] = [];
    for (const f of files) {
      const buf = readFileSync(join(dir, 'tokens', f.file));
      assert.equal(buf.byteLength, f.tokens * 2);
      const toks = new Uint16Array(buf.buffer, buf.byteOffset, f.tokens);
      assert.equal(toks[toks.length - 1], 256);
      let cur: number[] = [];
      for (const t of toks) {
        if (t === 256) {
          out.push(Buffer.from(cur).toString('utf8'));
          cur = [];
        } else cur.push(t);
      }
    }
    return out;
  };
  const train = docsIn(p1.splits.train);
  const val = docsIn(p1.splits.val);
  assert.equal(train.length + val.length, 40);
  for (const t of val) assert.ok(idFraction(`w${/\d+/.exec(t)?.[0]}`, 1) < 0.2);
  // phase 2: edu ≥ 3 web docs (16) twice + synthetic 1.5 epochs (10 + about 5)
  const st = report.phase2!;
  assert.equal(st[0]?.docs, 16);
  assert.equal(st[0]?.docs_written, 32);
  assert.ok((st[1]?.docs_written ?? 0) > 10 && (st[1]?.docs_written ?? 0) < 20);
  const p2 = [...docsIn(onDisk.phases[1]!.splits.train), ...docsIn(onDisk.phases[1]!.splits.val)];
  assert.ok(p2.every((t) => t.startsWith('synthetic') || Number(/\d+/.exec(t)?.[0]) % 5 >= 3));
});

test('weights set epochs from token shares; uint32 when vocab > 65535; CLI tokenizer-module; bad specs', async () => {
  const dir = tmp();
  writeSources(dir);
  writeFileSync(
    join(dir, 'w.yaml'),
    `output_dir: tok\nval_fraction: 0\nphases:\n  - name: p\n    tokens: 2000\n    sources:\n      - {paths: [web.jsonl], weight: 3}\n      - {paths: [syn.jsonl], weight: 1}\n`,
  );
  const big = {
    tokenize: (t: string) => Array.from(t, (c) => 70000 + c.charCodeAt(0)),
    vocabSize: 70300,
    eosId: 70299,
  };
  const { manifest, report } = await runMix(loadMixSpec(join(dir, 'w.yaml')), big);
  assert.equal(manifest.dtype, 'uint32');
  const [web, syn] = report.p!;
  assert.ok(
    Math.abs((web?.tokens_written ?? 0) / ((web?.tokens_written ?? 0) + (syn?.tokens_written ?? 0)) - 0.75) <
      0.05,
  );
  writeFileSync(
    join(dir, 'tok.mjs'),
    'export const vocabSize = 300; export const eosId = 299; export function tokenize(t) { return Array.from(t, (c) => c.charCodeAt(0) % 299); }\n',
  );
  writeFileSync(
    join(dir, 'c.yaml'),
    'output_dir: cli\nphases:\n  - name: p\n    sources: [{paths: [syn.jsonl]}]\n',
  );
  await dataMix({ _: [join(dir, 'c.yaml')], 'tokenizer-module': join(dir, 'tok.mjs') });
  const m = JSON.parse(readFileSync(join(dir, 'cli', 'manifest.json'), 'utf8'));
  assert.equal(m.eos_id, 299);
  writeFileSync(
    join(dir, 'bad.yaml'),
    'phases:\n  - name: p\n    sources: [{paths: [a], epochs: 1, weight: 2}]\n',
  );
  assert.throws(() => loadMixSpec(join(dir, 'bad.yaml')), /give epochs or weight, not both/);
  writeFileSync(join(dir, 'bad2.yaml'), 'phases:\n  - name: p\n    source: []\n');
  assert.throws(() => loadMixSpec(join(dir, 'bad2.yaml')), /bad2\.yaml: phases\[0\]: unknown key "source"/);
  await assert.rejects(
    runMix(loadMixSpec(join(dir, 'c.yaml')), { tokenize: () => [999], vocabSize: 300, eosId: 299 }),
    /token id 999 outside \[0, 300\)/,
  );
});
