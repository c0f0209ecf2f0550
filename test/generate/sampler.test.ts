import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPenalties, argmax, Rng, Sampler } from '../../src/generate/sampler.js';
import { StopMatcher } from '../../src/generate/stop.js';

const logits = Float32Array.from([0.1, 2.5, -1, 2.4, 0, 1.9, -3, 0.5]);

test('temperature 0 is argmax', () => {
  const s = new Sampler(logits.length, { temperature: 0 });
  assert.equal(s.sample(logits), 1);
  assert.equal(
    argmax(logits, (id) => id !== 1),
    3,
  );
});

test('same seed gives the same draws; different seeds differ', () => {
  const draw = (seed: number) => {
    const s = new Sampler(logits.length, { temperature: 1.5, topK: 0, topP: 1, minP: 0, seed });
    return Array.from({ length: 64 }, () => s.sample(logits));
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
});

test('top-k keeps only the k best tokens', () => {
  const s = new Sampler(logits.length, { temperature: 5, topK: 2, topP: 1, minP: 0, seed: 1 });
  const seen = new Set(Array.from({ length: 300 }, () => s.sample(logits)));
  assert.deepEqual([...seen].sort(), [1, 3]);
});

test('top-p and min-p cut the tail', () => {
  const s = new Sampler(logits.length, { temperature: 1, topK: 0, topP: 0.5, minP: 0, seed: 3 });
  const seen = new Set(Array.from({ length: 300 }, () => s.sample(logits)));
  assert.ok(!seen.has(6) && !seen.has(2), `tail tokens sampled: ${[...seen]}`);
  const m = new Sampler(logits.length, { temperature: 1, topK: 0, topP: 1, minP: 0.5, seed: 3 });
  const seenM = new Set(Array.from({ length: 300 }, () => m.sample(logits)));
  // p(token)/p(best) ≥ 0.5 ⇔ logit ≥ 2.5 − ln 2 ≈ 1.81: tokens 1, 3, 5.
  assert.deepEqual([...seenM].sort(), [1, 3, 5]);
});

test('sampling follows the softmax distribution', () => {
  const l = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.2)]);
  const s = new Sampler(3, { temperature: 1, topK: 0, topP: 1, minP: 0, seed: 11 });
  const counts = [0, 0, 0];
  for (let i = 0; i < 20000; i++) counts[s.sample(l)]!++;
  assert.ok(Math.abs(counts[0]! / 20000 - 0.5) < 0.02, `${counts}`);
  assert.ok(Math.abs(counts[2]! / 20000 - 0.2) < 0.02, `${counts}`);
});

test('penalties: repeat divides positive / multiplies negative logits; frequency and presence subtract', () => {
  const l = Float32Array.from([2, -2, 1]);
  applyPenalties(l, [0, 1, 0], {
    repeatPenalty: 2,
    frequencyPenalty: 0.5,
    presencePenalty: 0.25,
    penaltyLastN: -1,
  });
  assert.deepEqual(Array.from(l), [2 / 2 - 2 * 0.5 - 0.25, -2 * 2 - 0.5 - 0.25, 1]);
});

test('Rng is uniform in [0,1)', () => {
  const r = new Rng(5);
  let sum = 0;
  for (let i = 0; i < 10000; i++) {
    const v = r.next();
    assert.ok(v >= 0 && v < 1);
    sum += v;
  }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
});

test('stop strings are never emitted, even split across pieces', () => {
  const m = new StopMatcher(['<END>', 'zz']);
  let out = '';
  for (const piece of ['hello <E', 'N', 'D> more']) {
    const p = m.push(piece);
    out += p.text;
    if (p.stopped) break;
  }
  assert.equal(out, 'hello ');
  assert.ok(m.stopped);
  const k = new StopMatcher(['abc']);
  assert.equal(k.push('xab').text, 'x');
  assert.equal(k.push('x').text, 'abx');
  assert.equal(k.flush(), '');
});
