// minhash_dedup's min_jaccard option through the pipeline: full signatures are written, verification keeps look-alikes.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runPipeline } from '../../src/data/pipeline/runner.js';
import { gibberish, tmp } from './helpers.js';

/** `low` pairs near Jaccard 0.6 and `high` pairs near 0.9 (300 words, 5-gram shingles), two shards. */
function pairCorpus(dir: string, low: number, high: number): void {
  const lines: string[][] = [[], []];
  const pair = (p: number, k: number) => {
    const a = gibberish(300, 7000 + p);
    const words = a.split(' ');
    for (let i = 0; i < k; i++) words[Math.floor((i + 0.5) * (300 / k))] = `zz${p}x${i}`;
    (lines[p % 2] as string[]).push(JSON.stringify({ id: `${p}a`, text: a }));
    (lines[(p + 1) % 2] as string[]).push(JSON.stringify({ id: `${p}b`, text: words.join(' ') }));
  };
  for (let p = 0; p < low; p++) pair(p, 15);
  for (let p = low; p < low + high; p++) pair(p, 3);
  lines.forEach((l, s) => {
    writeFileSync(join(dir, `in-${s}.jsonl`), `${l.join('\n')}\n`);
  });
}

async function removed(dir: string, name: string, minhash: string): Promise<Record<string, number>> {
  writeFileSync(
    join(dir, `${name}.yaml`),
    `name: ${name}\nrun_dir: ${name}\ninput: {type: jsonl, paths: ["in-*.jsonl"]}\nstages:\n  - ${minhash}\n`,
  );
  const r = await runPipeline(join(dir, `${name}.yaml`), { progress: false });
  assert.equal(r.complete, true);
  const stats = JSON.parse(readFileSync(join(r.runDir, 'stats.json'), 'utf8'));
  const d = stats.dedup['0:minhash_dedup'];
  return { removed: d.removed, rejected: d.candidates_rejected ?? 0, written: stats.docs_written };
}

test('minhash_dedup min_jaccard: 0 (default) follows the S-curve; 0.75 keeps J≈0.6 pairs and removes J≈0.9 copies', async () => {
  const dir = tmp();
  pairCorpus(dir, 200, 30);
  const plain = await removed(dir, 'plain', 'minhash_dedup');
  const verified = await removed(dir, 'verified', 'minhash_dedup: {min_jaccard: 0.75}');
  // LSH alone: all 30 near-copies plus ~21 % of the 200 look-alikes; verified: the 30 near-copies (± noise)
  assert.ok(plain.removed >= 30 + 20, `plain removed ${plain.removed}`);
  assert.equal(plain.rejected, 0);
  assert.ok(verified.removed >= 30 && verified.removed <= 33, `verified removed ${verified.removed}`);
  assert.ok(verified.rejected >= 20, `verified rejected ${verified.rejected} candidates`);
  assert.equal(verified.written, 460 - verified.removed);
  await assert.rejects(
    removed(dir, 'bad', 'minhash_dedup: {min_jaccard: high}'),
    /min_jaccard.*expects number/,
  );
});
