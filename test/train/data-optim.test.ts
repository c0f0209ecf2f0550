// Token-shard loader (determinism, phases, validation), LR schedules, AdamW and gradient clipping.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataLoader, loadManifest } from '../../src/train/data.js';
import { AdamW, clipGradNorm, gradNorm } from '../../src/train/optim.js';
import { learningRate } from '../../src/train/schedule.js';
import { writeTokenDir } from './helpers.js';

test('loader: seeded windows are reproducible, restore continues the stream, phase 2 starts on time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plm-data-'));
  try {
    for (const dtype of ['uint16', 'uint32'] as const) {
      const data = writeTokenDir(join(dir, dtype), 64, 3000, dtype);
      const opts = { batch: 2, seqLen: 8, seed: 5, phase2AtTokens: 48 };
      const a = new DataLoader(data, opts);
      const b = new DataLoader(data, opts);
      const b1 = a.next();
      assert.deepEqual(b.next(), b1);
      // targets are inputs shifted by one
      assert.deepEqual(b1.inputs.subarray(1, 8), b1.targets.subarray(0, 7));
      const st = a.state();
      const seq = [a.next(), a.next(), a.next()];
      const c = new DataLoader(data, opts);
      c.restore(st);
      assert.deepEqual([c.next(), c.next(), c.next()], seq);
      // 16 tokens per batch: batches 1..3 from phase 1, then phase 2 (steps of 2 in the synthetic data)
      assert.equal(a.phase(), 1);
      const p2 = a.next();
      let twos = 0;
      for (let i = 0; i < p2.inputs.length; i++) if ((p2.targets[i] - p2.inputs[i] + 64) % 64 === 2) twos++;
      assert.ok(twos > 12, `phase 2 pattern expected, ${twos}/16 steps of 2`);
      assert.deepEqual(a.valBatches(2), c.valBatches(2));
      for (const l of [a, b, c]) l.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('manifest errors name the file and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plm-man-'));
  try {
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({ format: 'pocketlm-tokens-v1', dtype: 'int8', vocab_size: 5, phases: [] }),
    );
    assert.throws(() => loadManifest(dir), /manifest\.json: dtype must be uint16 or uint32, got "int8"/);
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        format: 'pocketlm-tokens-v1',
        dtype: 'uint16',
        vocab_size: 5,
        eos_id: 0,
        phases: [{ name: 'p', splits: { train: [{ file: 'x.bin', tokens: 10 }] } }],
      }),
    );
    assert.throws(() => loadManifest(dir), /phases\[0\]\.splits\.train\[0\]: file .*x\.bin not found/);
    writeFileSync(join(dir, 'x.bin'), new Uint8Array(8));
    assert.throws(() => loadManifest(dir), /holds 8 bytes, expected ≥ 20/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('schedules: warmup, cosine to min, WSD stable then linear decay from decayStart', () => {
  const base = { lr: 1, minLr: 0.1, warmupSteps: 10, totalSteps: 110 };
  const cos = { ...base, kind: 'cosine' as const };
  assert.equal(learningRate(cos, 0), 0.1);
  assert.equal(learningRate(cos, 9), 1);
  assert.ok(Math.abs(learningRate(cos, 60) - 0.55) < 1e-12);
  assert.ok(Math.abs(learningRate(cos, 110) - 0.1) < 1e-12);
  const wsd = { ...base, kind: 'wsd' as const, decayStart: 70 };
  assert.equal(learningRate(wsd, 50), 1);
  assert.equal(learningRate(wsd, 70), 1);
  assert.ok(Math.abs(learningRate(wsd, 90) - 0.55) < 1e-12);
  assert.ok(Math.abs(learningRate(wsd, 110) - 0.1) < 1e-12);
});

test('AdamW matches a hand-computed update; decay only on matrices; clipping caps the global norm', () => {
  const tensors = [
    { name: 'a', rows: 1, cols: 2, offset: 0, size: 2, kind: 'matrix' as const },
    { name: 'n', rows: 1, cols: 2, offset: 4, size: 2, kind: 'norm' as const },
  ];
  const opt = new AdamW({ beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.5 }, tensors, 6);
  const p = new Float32Array([1, -2, 0, 0, 3, 4]);
  const g = new Float32Array([0.5, 0.5, 0, 0, -1, 2]);
  opt.step(p, g, 0.1);
  // step 1: m̂ = g, v̂ = g², update = lr·g/(|g|+eps) = ±0.1; decay 1·(1 − 0.05) on matrices
  const want = [1 * 0.95 - 0.1, -2 * 0.95 - 0.1, 0, 0, 3 + 0.1, 4 - 0.1];
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(p[i] - want[i]) < 1e-6, `p[${i}] ${p[i]} vs ${want[i]}`);
  const gg = new Float32Array([3, 4]);
  assert.equal(clipGradNorm(gg, 1), 5);
  assert.ok(Math.abs(gradNorm(gg) - 1) < 1e-5);
});
