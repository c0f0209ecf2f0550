// Dedup: MinHash-LSH detection rate vs the theoretical S-curve, cross-shard clustering, exact keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactKey } from '../../src/data/dedup/exact.js';
import { mergeSignatures } from '../../src/data/dedup/merge.js';
import {
  bandKeys,
  estimateJaccard,
  lshProbability,
  MINHASH_DEFAULTS,
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

test('merge with minJaccard: a bucket match merges only when the full signatures agree enough', async () => {
  // 2 bands × 4 rows; rows = [index, 2 key words per band, 8 signature words]
  const w = new SignatureWriter('minhash', 1 + 4 + 8);
  const sig = (agree: number) => Array.from({ length: 8 }, (_, i) => (i < agree ? i : 100 + i));
  w.add('p', [1, 1, 2, 2, ...sig(8)]);
  w.add('q', [1, 1, 9, 9, ...sig(4)]); // shares band 0 with p, signatures agree on 4 of 8
  w.add('r', [3, 3, 2, 2, ...sig(7)]); // shares band 1 with p, signatures agree on 7 of 8
  const dir = tmp();
  await w.save(`${dir}/0.bin`);
  const f = await loadSignatures(`${dir}/0.bin`);
  const all = mergeSignatures([f], { bands: 2 });
  assert.equal(all.removed, 2);
  assert.equal(all.candidates_rejected, 0);
  const verified = mergeSignatures([f], { bands: 2, minJaccard: 0.75 });
  assert.equal(verified.removed, 1);
  assert.equal(verified.candidates_rejected, 1);
  assert.deepEqual(verified.shards[0], { remove: [[2, 'p']], cluster_size: [[0, 2]] });
  // band keys only: verification has nothing to compare
  const k = new SignatureWriter('minhash', 1 + 4);
  k.add('p', [1, 1, 2, 2]);
  await k.save(`${dir}/1.bin`);
  const keysOnly = await loadSignatures(`${dir}/1.bin`);
  assert.throws(() => mergeSignatures([keysOnly], { bands: 2, minJaccard: 0.75 }), /needs full signatures/);
});

test('minhash verification at 0.75: pairs near J 0.6 that share a band stay, pairs near J 0.9 still merge', async () => {
  const h = minHasher({ ...MINHASH_DEFAULTS, min_jaccard: 0.75 });
  const nb = 2 * h.opts.bands;
  const w = new SignatureWriter('minhash', 1 + nb + h.a.length);
  const add = (id: string, text: string) => {
    const s = signature(h, text);
    const row = new Uint32Array(nb + s.length);
    row.set(bandKeys(h, s));
    row.set(s, nb);
    w.add(id, row);
  };
  // 300 words, 5-grams: k evenly spread replaced words give J ≈ (296 − 5k) / (296 + 5k)
  const pairs = (n: number, k: number, seed0: number) => {
    let j = 0;
    for (let p = 0; p < n; p++) {
      const a = gibberish(300, seed0 + p);
      const words = a.split(' ');
      for (let i = 0; i < k; i++) words[Math.floor((i + 0.5) * (300 / k))] = `zz${p}x${i}`;
      const b = words.join(' ');
      j += exactJaccard(a, b, 5);
      add(`${seed0 + p}a`, a);
      add(`${seed0 + p}b`, b);
    }
    return j / n;
  };
  const jLow = pairs(300, 15, 1000);
  const jHigh = pairs(60, 3, 5000);
  assert.ok(Math.abs(jLow - 0.6) < 0.05 && Math.abs(jHigh - 0.9) < 0.05, `J ${jLow} / ${jHigh}`);
  const dir = tmp();
  await w.save(`${dir}/0.bin`);
  const f = await loadSignatures(`${dir}/0.bin`);
  const removedBy = (d: ReturnType<typeof mergeSignatures>, from: number, to: number) =>
    (d.shards[0]?.remove ?? []).filter(([i]) => i >= from && i < to).length;
  const plain = mergeSignatures([f], { bands: h.opts.bands });
  const verified = mergeSignatures([f], { bands: h.opts.bands, minJaccard: 0.75 });
  // LSH alone merges ~21 % of the J ≈ 0.6 pairs (1 − (1 − 0.6^8)^14); verification almost none
  assert.ok(removedBy(plain, 0, 600) >= 30, `plain removed ${removedBy(plain, 0, 600)} of 300 low pairs`);
  assert.ok(removedBy(verified, 0, 600) <= 3, `verified removed ${removedBy(verified, 0, 600)}`);
  assert.ok(verified.candidates_rejected >= 30);
  assert.equal(removedBy(plain, 600, 720), 60);
  assert.equal(removedBy(verified, 600, 720), 60);
});
