// End to end: a planted corpus through the default preset; every planted bad document is dropped for the right reason.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runPipeline } from '../../src/data/pipeline/runner.js';
import { DEFAULT_FIELDS } from '../../src/data/readers/fields.js';
import { readJsonl } from '../../src/data/readers/jsonl.js';
import { writeDataReport } from '../../src/data/report/report.js';
import { MMLU_CSV, plantedCorpus, toJsonl } from './corpus.js';
import { tmp } from './helpers.js';

test('default preset drops each planted document for the right reason and keeps the good ones', async () => {
  const dir = tmp();
  const shards = plantedCorpus();
  shards.forEach((s, i) => {
    writeFileSync(join(dir, `web-${i}.jsonl`), toJsonl(s));
  });
  writeFileSync(join(dir, 'mmlu.csv'), MMLU_CSV);
  writeFileSync(
    join(dir, 'pipeline.yaml'),
    `name: e2e\nrun_dir: run\ninput:\n  type: jsonl\n  paths: ["web-*.jsonl"]\npreset: default\noverrides:\n  decontaminate: {benchmarks: [mmlu.csv]}\noutput: {type: jsonl, compression: gzip, rejected: true}\n`,
  );
  const r = await runPipeline(join(dir, 'pipeline.yaml'), { progress: false });
  assert.equal(r.complete, true);
  const kept = new Set<string>();
  for (const f of readdirSync(join(r.runDir, 'output')).sort())
    for await (const d of readJsonl(join(r.runDir, 'output', f), DEFAULT_FIELDS)) kept.add(d.id);
  const dropped = new Map<string, string>();
  for (const f of readdirSync(join(r.runDir, 'rejected')).sort()) {
    for await (const d of readJsonl(join(r.runDir, 'rejected', f), DEFAULT_FIELDS))
      dropped.set(d.id, `${d.metadata.dropped_by}:${d.metadata.drop_reason}`);
  }
  for (const d of shards.flat()) {
    if (d.expect === null)
      assert.ok(kept.has(d.id), `${d.id} should be kept (dropped as ${dropped.get(d.id)})`);
    else assert.equal(dropped.get(d.id), d.expect, `${d.id}`);
  }
  assert.equal(kept.size, shards.flat().filter((d) => d.expect === null).length);
  // stats: per stage in/out, drop reasons, dedup clusters
  const stats = JSON.parse(readFileSync(join(r.runDir, 'stats.json'), 'utf8'));
  assert.equal(stats.docs_read, shards.flat().length);
  assert.equal(stats.docs_written, kept.size);
  assert.equal(stats.drop_reasons['c4:lorem_ipsum'], 1);
  const lang = stats.stages.find((s: { name: string }) => s.name === 'language');
  assert.equal(lang.docs_in - lang.docs_out, 1);
  assert.ok(lang.bytes_in > 0 && lang.tokens_in > 0);
  assert.equal(stats.notes.decontaminate[0].doc_id, 'benchmark');
  assert.equal(stats.dedup['9:minhash_dedup'].cluster_size_histogram['2'], 1);
  // the report renders from the run directory
  const summary = await writeDataReport(r.runDir);
  assert.equal(summary.docs_written, kept.size);
  const html = readFileSync(join(r.runDir, 'report.html'), 'utf8');
  assert.ok(
    html.includes('<svg') && html.includes('Top drop reasons') && html.includes('Duplicate cluster sizes'),
  );
  assert.ok(
    !/<script|https?:\/\/(?!www\.w3\.org)/.test(html.replace(/https:\/\/[a-z0-9.]+\.example\/?[^<"]*/g, '')),
    'report is self-contained',
  );
});
