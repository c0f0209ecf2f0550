// Decontamination: 13-gram overlap with MMLU CSV, QA JSONL and plain-text benchmarks; drop and redact modes.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadBenchmark, parseCsv } from '../../src/data/decontam/benchmarks.js';
import { NgramIndex, redact } from '../../src/data/decontam/ngram-index.js';
import type { Document, StageContext } from '../../src/data/document.js';
import { decontaminate } from '../../src/data/filters/decontaminate.js';
import { tmp } from './helpers.js';

const Q =
  'A farmer plants seeds in rows that are three meters apart and wants to know how many rows fit in a field';

function setup(): string {
  const dir = tmp();
  writeFileSync(
    join(dir, 'mmlu.csv'),
    `question,A,B,C,D,answer\n"${Q}?","10","12","15","20",C\n"Short one?","a","b","c","d",A\n`,
  );
  writeFileSync(
    join(dir, 'qa.jsonl'),
    `${JSON.stringify({ question: 'Who wrote the letters that were found in the old lighthouse by the two children?', answers: ['The keeper'] })}\n`,
  );
  writeFileSync(
    join(dir, 'plain.txt'),
    'The quick brown fox jumps over the lazy dog near the river bank today\n\n',
  );
  return dir;
}

async function runStage(stage: Awaited<ReturnType<typeof decontaminate>>, docs: Document[]) {
  const dropped: [string, string][] = [];
  const notes: Record<string, unknown>[] = [];
  const ctx: StageContext = {
    rank: 0,
    worldSize: 1,
    runDir: '',
    drop: (d, s, r) => dropped.push([d.id, `${s}:${r}`]),
    note: (_k, e) => notes.push(e),
  };
  async function* src() {
    yield* docs;
  }
  const kept: Document[] = [];
  for await (const d of stage.run(src(), ctx)) kept.push(d);
  return { kept, dropped, notes };
}

test('benchmark loaders: MMLU CSV (header skipped, quotes), QA JSONL, plain text', async () => {
  const dir = setup();
  const m = await loadBenchmark(join(dir, 'mmlu.csv'));
  assert.equal(m.length, 2);
  assert.ok(m[0]?.text.startsWith(`${Q}? 10 12`));
  assert.equal((await loadBenchmark(join(dir, 'qa.jsonl')))[0]?.text.endsWith('The keeper'), true);
  assert.equal((await loadBenchmark(join(dir, 'plain.txt'))).length, 1);
  assert.deepEqual(parseCsv('a,"b,""c""",d\n1,2,3'), [
    ['a', 'b,"c"', 'd'],
    ['1', '2', '3'],
  ]);
  writeFileSync(join(dir, 'bad.jsonl'), '{"prompt_x": 1}\n');
  await assert.rejects(
    loadBenchmark(join(dir, 'bad.jsonl')),
    /bad\.jsonl:1: missing string field "question"/,
  );
});

test('13-gram overlap: 13 consecutive words match, 12 do not', () => {
  const idx = new NgramIndex(13, 8);
  idx.add([{ benchmark: 'b', id: 'q1', text: Q }]);
  const w = Q.split(' ');
  assert.equal(idx.find(`Intro text. ${w.slice(3, 16).join(' ')} and more.`).length, 1);
  assert.equal(idx.find(`Intro text. ${w.slice(3, 15).join(' ')} and more.`).length, 0);
  // case and punctuation do not hide a match
  assert.equal(idx.find(w.slice(0, 13).join(', ').toUpperCase()).length, 1);
});

test('items shorter than n words (≥ min_item_words) are matched whole; shorter are ignored', () => {
  const idx = new NgramIndex(13, 8);
  idx.add([
    { benchmark: 'b', id: 'short', text: 'What is the capital city of the country France' },
    { benchmark: 'b', id: 'tiny', text: 'What is two plus two' },
  ]);
  assert.equal(idx.items.length, 1);
  assert.equal(idx.find('Quiz: what is the capital city of the country France? Paris.').length, 1);
  assert.equal(idx.find('what is two plus two').length, 0);
});

test('stage drops contaminated docs with a report entry; redact mode masks the span', async () => {
  const dir = setup();
  const docs: Document[] = [
    {
      id: 'clean',
      text: 'Rivers carry water to the sea and shape the valleys over many years.',
      metadata: {},
    },
    { id: 'leak', text: `Practice test. ${Q}? Answer: 15.`, metadata: {} },
    {
      id: 'qa-leak',
      text: 'Quiz night: who wrote the letters that were found in the old lighthouse by the two children? Nobody knows.',
      metadata: {},
    },
  ];
  const drop = await decontaminate({ benchmarks: ['mmlu.csv', 'qa.jsonl', 'plain.txt'] }, dir);
  const r = await runStage(
    drop,
    docs.map((d) => ({ ...d, metadata: {} })),
  );
  assert.deepEqual(
    r.kept.map((d) => d.id),
    ['clean'],
  );
  assert.deepEqual(r.dropped, [
    ['leak', 'decontaminate:benchmark_overlap'],
    ['qa-leak', 'decontaminate:benchmark_overlap'],
  ]);
  assert.equal(r.notes[0]?.benchmark, 'mmlu.csv');
  const red = await decontaminate({ benchmarks: ['mmlu.csv'], mode: 'redact' }, dir);
  const r2 = await runStage(red, [{ ...(docs[1] as Document), metadata: {} }]);
  assert.equal(r2.kept[0]?.text, 'Practice test. [REDACTED]? Answer: 15.');
  assert.deepEqual(r2.kept[0]?.metadata.redacted_items, ['mmlu.csv#2']);
  assert.equal(
    redact(
      'abcdef',
      [
        { start: 1, end: 3 },
        { start: 2, end: 4 },
      ],
      '_',
    ),
    'a_ef',
  );
  await assert.rejects(decontaminate({ mode: 'erase' }, dir), /mode must be drop or redact/);
});
