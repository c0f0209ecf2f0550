// Dedup: MinHash-LSH detection rate vs the theoretical S-curve, cross-shard clustering, exact keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactKey } from '../../src/data/dedup/exact.js';
import { mergeSignatures } from '../../src/data/dedup/merge.js';
import {
  bandKeys,
  estimateJaccard,
  lshProbability,
  minHasher,
  signature,
} from '../../src/data/dedup/minhash.js';
import { exactJaccard, measureSCurve } from '../../src/data/dedup/s-curve.js';
import { loadSignatures, SignatureWriter } from '../../src/data/dedup/signatures.js';
import { UnionFind } from '../../src/data/dedup/union-find.js';
import { gibberish, tmp } from './helpers.js';

test('theoretical S-curve for 14 bands × 8 rows', () => {
  assert.ok(Math.abs(lshProbability(0.9, 14, 8) - 0.9996) < 1e-3);
  assert.ok(Math.abs(lshProbability(0.5, 14, 8) - 0.0532) < 1e-3);
});

test('detection rate at Jaccard 0.9/0.8/0.7/0.5 matches 1-(1-s^r)^b within sampling error', () => {
  const pts = measureSCurve([0.9, 0.8, 0.7, 0.5], 150);
  for (const p of pts) {
    assert.ok(Math.abs(p.mean_jaccard - p.target) < 0.06, `target ${p.target} got mean J ${p.mean_jaccard}`);
    const se = Math.sqrt(Math.max(p.expected * (1 - p.expected), 0.01) / p.pairs);
    assert.ok(
      Math.abs(p.detected - p.expected) <= 4 * se + 0.02,
      `J=${p.mean_jaccard.toFixed(3)} detected ${p.detected} expected ${p.expected.toFixed(3)}`,
    );
  }
  assert.ok(
    (pts[0] as { detected: number }).detected > 0.97 && (pts[3] as { detected: number }).detected < 0.2,
  );
});

test('signatures estimate Jaccard', () => {
  const h = minHasher({ ngram: 5, bands: 32, rows: 8, seed: 3 });
  const a = gibberish(400, 1);
  const w = a.split(' ');
  for (let i = 0; i < 400; i += 40) w[i] = 'qqqq';
  const b = w.join(' ');
  const est = estimateJaccard(signature(h, a), signature(h, b));
  assert.ok(Math.abs(est - exactJaccard(a, b, 5)) < 0.08, `${est} vs ${exactJaccard(a, b, 5)}`);
});

test('merge: clusters across shards with union-find; keeps the first doc in (shard, index) order', async () => {
  const h = minHasher();
  const base = gibberish(300, 5);
  const near = base.replace(/^(\S+)/, 'changed');
  const other = gibberish(300, 6);
  const s0 = new SignatureWriter('minhash', 1 + 2 * 14);
  const s1 = new SignatureWriter('minhash', 1 + 2 * 14);
  s0.add('x', bandKeys(h, signature(h, other)));
  s0.add('a', bandKeys(h, signature(h, near)));
  s1.add('b', bandKeys(h, signature(h, base)));
  s1.add('c', bandKeys(h, signature(h, near)));
  const dir = tmp();
  await s0.save(`${dir}/0.bin`);
  await s1.save(`${dir}/1.bin`);
  const d = mergeSignatures([await loadSignatures(`${dir}/0.bin`), await loadSignatures(`${dir}/1.bin`)]);
  assert.equal(d.removed, 2);
  assert.deepEqual(d.shards[0], { remove: [], cluster_size: [[1, 3]] });
  assert.deepEqual(d.shards[1], {
    remove: [
      [0, 'a'],
      [1, 'a'],
    ],
    cluster_size: [],
  });
  assert.deepEqual(d.cluster_size_histogram, { '3': 1 });
  await assert.rejects(loadSignatures(`${dir}/0.bin.ids.json`), /bad magic|not a signature file/);
});

test('exact keys ignore case and whitespace only', () => {
  assert.deepEqual(exactKey('Hello   World\n'), exactKey('hello world'));
  assert.notDeepEqual(exactKey('hello world.'), exactKey('hello world'));
});

test('union-find roots are the smallest member', () => {
  const u = new UnionFind(6);
  u.union(4, 5);
  u.union(5, 2);
  u.union(0, 1);
  assert.equal(u.find(4), 2);
  assert.equal(u.find(1), 0);
  assert.equal(u.find(3), 3);
});
