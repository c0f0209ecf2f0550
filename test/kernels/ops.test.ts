// rmsnorm, softmax, silu·up and rope (wasm) against their TS twins in ref.ts (attention: test/model/attention.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rmsnorm, rope, ropeCosSin, siluMulFused, softmax } from '../../src/kernels/ops.js';
import { rmsnormRef, ropeRef, softmaxRef } from '../../src/kernels/ref.js';
import { siluMulFused as siluMulFusedRef } from '../../src/model/ops-ref.js';
import { rng } from './helpers.js';

/** Tolerances: rmsnorm/rope/softmax relative to the largest magnitude; attention relative to max |v|. */
const TOL = { rmsnorm: 2e-6, softmax: 2e-6, rope: 2e-6 };

function close(got: Float32Array, want: Float32Array, tol: number, label: string): void {
  let mag = 0;
  for (const v of want) mag = Math.max(mag, Math.abs(v));
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= tol * mag + 1e-30)) assert.fail(`${label}[${i}]: ${got[i]} vs ${want[i]} (|err| ${err})`);
  }
}

function rand(n: number, seed: number, amp = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * amp);
}

test('rmsnorm matches its twin (several rows; n multiple of 4 and not)', () => {
  for (const [n, rows] of [
    [96, 1],
    [3072, 2],
    [7, 3],
  ] as const) {
    const x = rand(n * rows, n, 5);
    const w = rand(n, n + 1);
    const got = new Float32Array(n * rows);
    const want = new Float32Array(n * rows);
    rmsnorm(got, x, w, n, 1e-5);
    rmsnormRef(want, x, w, n, 1e-5);
    close(got, want, TOL.rmsnorm, `rmsnorm n=${n}`);
  }
});

test('softmax matches its twin, with scale, odd lengths and large logits', () => {
  for (const n of [1, 3, 17, 1000]) {
    const x = rand(n, n, 30);
    const want = Float32Array.from(x);
    softmax(x, n, 0.7);
    softmaxRef(want, n, 0.7);
    close(x, want, TOL.softmax, `softmax n=${n}`);
    assert.ok(Math.abs(x.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  }
  const big = new Float32Array([-1e30, 0, Number.NEGATIVE_INFINITY, 88.5, -88]);
  const want = Float32Array.from(big);
  softmax(big);
  softmaxRef(want);
  close(big, want, TOL.softmax, 'softmax extremes');
});

for (const mode of ['neox', 'norm'] as const) {
  test(`rope (${mode}) matches its twin, partial rotation and frequency factors`, () => {
    const nHead = 3;
    for (const [headDim, nRot, pos, ff] of [
      [96, 96, 5, false],
      [64, 32, 1000, false],
      [96, 96, 4000, true],
    ] as const) {
      const p = {
        nRot,
        headDim,
        base: 10000,
        mode,
        freqFactors: ff ? rand(nRot / 2, 3).map((v) => 1 + Math.abs(v) * 10) : undefined,
        mscale: ff ? 1.19 : 1,
      };
      const x = rand(nHead * headDim, pos);
      const want = Float64Array.from(x);
      const w32 = Float32Array.from(x);
      rope(x, nHead, pos, p);
      ropeRef(w32, nHead, pos, p);
      close(x, w32, TOL.rope * Math.max(1, pos / 50), `rope ${mode} hd=${headDim} rot=${nRot} pos=${pos}`);
      for (let h = 0; h < nHead; h++)
        for (let i = nRot; i < headDim; i++)
          assert.equal(x[h * headDim + i], Math.fround(want[h * headDim + i]!));
    }
  });
}

test('ropeCosSin follows ggml: position 0 is the identity, mscale scales cos and sin', () => {
  const cs = ropeCosSin(0, { nRot: 8, headDim: 8, base: 10000, mode: 'neox', mscale: 2 });
  assert.deepEqual(Array.from(cs), [2, 0, 2, 0, 2, 0, 2, 0]);
});

test('silu·up (fused gate|up rows) matches its twin elementwise, over ordinary and extreme gates', () => {
  for (const [nFf, n, amp] of [
    [8, 1, 4],
    [8192, 3, 8],
    [64, 37, 120], // e^±120 saturates: silu → 0 or the gate itself
  ] as const) {
    const gu = rand(n * 2 * nFf, nFf + n, amp);
    const got = new Float32Array(n * nFf).fill(Number.NaN);
    const want = new Float32Array(n * nFf);
    siluMulFused(gu, got, n, nFf);
    siluMulFusedRef(gu, want, n, nFf);
    // e^x's relative error grows with |x| (≈ |x|·2^-24): far tails are compared to the largest value
    if (amp > 10) close(got, want, 2e-6, `nFf ${nFf} n ${n}`);
    else
      for (let i = 0; i < want.length; i++) {
        const err = Math.abs(got[i]! - want[i]!);
        if (!(err <= 2e-6 * Math.abs(want[i]!) + 1e-30))
          assert.fail(`nFf ${nFf} n ${n} [${i}]: ${got[i]} vs ${want[i]} (|err| ${err})`);
      }
  }
  assert.throws(() => siluMulFused(new Float32Array(12), new Float32Array(6), 1, 6), /multiple of 4/);
});
