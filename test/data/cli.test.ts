// CLI entry points: run → report, annotate → train-classifier → score pipeline, synth with a pipeline, flag errors.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataAnnotate, dataReport, dataRun, dataSynth, dataTrainClassifier } from '../../src/data/cli.js';
import { educationalPage, seededRandom } from '../../src/data/synthetic-web.js';
import { startFakeOpenAI } from './fake-openai.js';
import { tmp } from './helpers.js';

function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => {};
  return fn().finally(() => {
    console.log = log;
  });
}

test('annotate → train-classifier → run with score + threshold → report', async () => {
  const dir = tmp();
  const r = seededRandom(5);
  const docs = Array.from({ length: 60 }, (_, i) =>
    i % 2
      ? { id: `e${i}`, text: educationalPage(r, 3) }
      : {
          id: `s${i}`,
          text: `Buy now ${i}! Cheap deals, discount offers and free shipping on everything in the shop today only.`,
        },
  );
  writeFileSync(join(dir, 'web.jsonl'), `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`);
  const srv = await startFakeOpenAI((p) =>
    p.includes('Buy now') ? 'Shop page.\nEducational score: 0' : 'Lesson.\nEducational score: 4',
  );
  try {
    await quiet(() =>
      dataAnnotate({
        input: join(dir, 'web.jsonl'),
        output: join(dir, 'ann.jsonl'),
        'base-url': srv.url,
        model: 'fake',
        concurrency: 4,
      }),
    );
  } finally {
    await srv.close();
  }
  assert.equal(readFileSync(join(dir, 'ann.jsonl'), 'utf8').trim().split('\n').length, 60);
  await quiet(() =>
    dataTrainClassifier({
      input: join(dir, 'ann.jsonl'),
      output: join(dir, 'edu.json'),
      epochs: 6,
      'val-fraction': 0.25,
    }),
  );
  const rep = JSON.parse(readFileSync(join(dir, 'edu.json.report.json'), 'utf8'));
  assert.ok(rep.val.f1_at_3 >= 0.9, `F1 ${rep.val.f1_at_3}`);
  writeFileSync(
    join(dir, 'p.yaml'),
    'name: scored\ninput: {type: jsonl, paths: [web.jsonl]}\nstages:\n  - score: {model: edu.json}\n  - threshold: {min: 3}\noutput: {compression: none}\n',
  );
  const res = await quiet(() => dataRun({ _: [join(dir, 'p.yaml')], quiet: true, report: true }));
  assert.equal(res.stats.docs_written, 30);
  assert.equal(res.stats.drop_reasons['threshold:edu_score_below_3'], 30);
  assert.ok(existsSync(join(res.runDir, 'report.html')));
  await quiet(() => dataReport({ _: [res.runDir] }));
  const summary = JSON.parse(readFileSync(join(res.runDir, 'summary.json'), 'utf8'));
  assert.equal(summary.docs_written, 30);
  assert.ok(
    summary.edu_score_histogram['4'] + summary.edu_score_histogram['5'] + summary.edu_score_histogram['3'] ===
      30,
  );
});

test('synth through the CLI, filtered by a pipeline; missing flags are named', async () => {
  const dir = tmp();
  const srv = await startFakeOpenAI((p) => {
    const topic = /topic "([^"]+)"/.exec(p)?.[1] ?? '';
    return `# ${topic}\n\n${educationalPage(seededRandom(topic.length), 3).split('\n\n').slice(1).join('\n\n')}`;
  });
  try {
    writeFileSync(
      join(dir, 'filter.yaml'),
      'name: synth-filter\ninput: {type: jsonl, paths: [unused.jsonl]}\nstages: [gopher_quality, exact_dedup]\n',
    );
    await quiet(() =>
      dataSynth({
        'out-dir': join(dir, 'syn'),
        topics: 'fractions,magnets',
        formats: 'textbook,qa',
        'base-url': srv.url,
        model: 'fake',
        pipeline: join(dir, 'filter.yaml'),
        quiet: true,
      }),
    );
    assert.equal(
      readFileSync(join(dir, 'syn', 'synthetic.jsonl'), 'utf8')
        .trim()
        .split('\n').length,
      4,
    );
    const stats = JSON.parse(readFileSync(join(dir, 'syn', 'filtered', 'stats.json'), 'utf8'));
    assert.equal(stats.docs_read, 4);
  } finally {
    await srv.close();
  }
  await assert.rejects(dataAnnotate({ input: 'x.jsonl' }), /data annotate: --output is required/);
  await assert.rejects(dataRun({ _: [] }), /data run: --config is required/);
  await assert.rejects(
    dataRun({ _: [join(dir, 'filter.yaml')], workers: 'many' }),
    /--workers: expected a number, got "many"/,
  );
});
