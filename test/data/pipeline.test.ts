// Pipeline runner: config validation, determinism across workers and --shard/--of splits, SIGKILL + resume.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/data/pipeline/config.js';
import { runPipeline } from '../../src/data/pipeline/runner.js';
import { syntheticJsonl } from '../../src/data/synthetic-web.js';
import { tmp } from './helpers.js';

function outputDigest(runDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(join(runDir, 'output')).sort())
    out[f] = createHash('sha256')
      .update(readFileSync(join(runDir, 'output', f)))
      .digest('hex');
  return out;
}

function corpus(shards: number, bytes: number): string {
  const dir = tmp();
  for (let s = 0; s < shards; s++)
    writeFileSync(join(dir, `in-${s}.jsonl`), [...syntheticJsonl(100 + s, bytes)].join(''));
  writeFileSync(
    join(dir, 'p.yaml'),
    'name: t\ninput: {type: jsonl, paths: ["in-*.jsonl"]}\npreset: fineweb\noutput: {rejected: true}\n',
  );
  return dir;
}

test('config: unknown keys and bad values are errors naming key and file', () => {
  const dir = tmp();
  const bad = (yaml: string, re: RegExp) => {
    writeFileSync(join(dir, 'c.yaml'), yaml);
    assert.throws(() => loadConfig(join(dir, 'c.yaml')), re);
  };
  bad('name: x\ninput: {type: jsonl, paths: [a]}\nstagez: []\n', /c\.yaml: unknown key "stagez"/);
  bad('input: {type: jsonl, paths: [a], field: {}}\n', /c\.yaml: input: unknown key "field"/);
  bad(
    'input: {type: csv, paths: [a]}\n',
    /input\.type must be one of jsonl, parquet, warc, folder, got "csv"/,
  );
  bad(
    'input: {type: jsonl, paths: [a]}\nstages: [{gopher_quality: {min_words: 3}}]\n',
    /c\.yaml: stages\[0\]\.gopher_quality: unknown key "min_words"/,
  );
  bad('input: {type: jsonl, paths: [a]}\nstages: [{frobnicate: {}}]\n', /unknown stage "frobnicate"/);
  bad(
    'input: {type: jsonl, paths: [a]}\nstages: [{minhash_dedup: {band: 3}}]\n',
    /minhash_dedup: unknown key "band"/,
  );
  bad(
    'input: {type: jsonl, paths: [a]}\npreset: fineweb\noverrides: {c5: {}}\n',
    /overrides: unknown key "c5"/,
  );
  bad(
    'input: {type: jsonl, paths: [a]}\noutput: {type: jsonl, compress: gzip}\n',
    /output: unknown key "compress"/,
  );
  writeFileSync(
    join(dir, 'ok.yaml'),
    'input: {type: jsonl, paths: [a]}\nstages: [c4, {language: {min_score: 0.5}}, exact_dedup]\n',
  );
  const c = loadConfig(join(dir, 'ok.yaml'));
  assert.deepEqual(
    c.stages.map((s) => s.name),
    ['c4', 'language', 'exact_dedup'],
  );
  assert.equal(c.run_dir, join(dir, 'runs', 'run'));
});

test('stage settings are validated before any work (unknown key inside a preset override)', async () => {
  const dir = corpus(1, 20_000);
  writeFileSync(
    join(dir, 'q.yaml'),
    'input: {type: jsonl, paths: ["in-*.jsonl"]}\npreset: fineweb\noverrides: {c4: {min_sentence: 2}}\n',
  );
  await assert.rejects(
    runPipeline(join(dir, 'q.yaml'), { progress: false }),
    /overrides\.c4: unknown key "min_sentence"/,
  );
});

test('2 workers and a 2-process --shard/--of split give byte-identical output to 1 worker', async () => {
  const dir = corpus(4, 150_000);
  const cfg = join(dir, 'p.yaml');
  const a = await runPipeline(cfg, { runDir: join(dir, 'a'), progress: false });
  const b = await runPipeline(cfg, { runDir: join(dir, 'b'), workers: 2, progress: false });
  assert.ok(a.stats.docs_written > 0 && a.stats.docs_written < a.stats.docs_read);
  assert.deepEqual(outputDigest(b.runDir), outputDigest(a.runDir));
  // process 0 of 2 stops at the dedup barrier until process 1 has done its shards
  const c0 = await runPipeline(cfg, { runDir: join(dir, 'c'), shard: 0, of: 2, progress: false });
  assert.equal(c0.complete, false);
  assert.match(c0.pending ?? '', /waits for shards 1, 3/);
  assert.ok(
    existsSync(join(dir, 'c', 'done', 'p0-00002.json')) &&
      !existsSync(join(dir, 'c', 'done', 'p0-00001.json')),
  );
  const c1 = await runPipeline(cfg, { runDir: join(dir, 'c'), shard: 1, of: 2, progress: false });
  assert.equal(c1.complete, false); // shards 0 and 2 still need their final phase
  const c0b = await runPipeline(cfg, { runDir: join(dir, 'c'), shard: 0, of: 2, progress: false });
  assert.equal(c0b.complete, true);
  assert.deepEqual(outputDigest(join(dir, 'c')), outputDigest(a.runDir));
  assert.equal(c0b.stats.docs_written, a.stats.docs_written);
  assert.deepEqual(c0b.stats.drop_reasons, a.stats.drop_reasons);
});

test('a SIGKILLed run resumes to output identical to an uninterrupted run', async () => {
  const dir = corpus(8, 250_000);
  const cfg = join(dir, 'p.yaml');
  const ref = await runPipeline(cfg, { runDir: join(dir, 'ref'), progress: false });
  const run = join(dir, 'killed');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'run-child.ts'), cfg, run, '1'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // kill as soon as two shards of the first phase are complete
  for (let i = 0; i < 3000 && !existsSync(join(run, 'done', 'p0-00001.json')); i++)
    await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  await exited;
  const doneBefore = existsSync(join(run, 'done'))
    ? readdirSync(join(run, 'done')).filter((f) => f.endsWith('.json'))
    : [];
  assert.ok(
    doneBefore.length >= 2 && doneBefore.length < 16,
    `killed mid-run (${doneBefore.length} of 16 tasks done)`,
  );
  const resumed = await runPipeline(cfg, { runDir: run, progress: false });
  assert.equal(resumed.complete, true);
  assert.deepEqual(outputDigest(run), outputDigest(ref.runDir));
  assert.equal(resumed.stats.docs_read, ref.stats.docs_read);
  assert.deepEqual(resumed.stats.drop_reasons, ref.stats.drop_reasons);
  assert.ok(!readdirSync(join(run, 'output')).some((f) => f.endsWith('.tmp')));
});
