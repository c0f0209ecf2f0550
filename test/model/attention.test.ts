// The wasm attention kernel (KvCache.attend) against its plain-TS twin (attendRef) on every cache type,
// batched causal prompts after a cached prefix, GQA, sliding windows, phi3 and llama scaling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KvCache, type KvType, kvRowBytes } from '../../src/model/kv-cache.js';
import { roundToF16 } from '../../src/model/ops-ref.js';
import { createBackend } from '../../src/threads/index.js';

function rand(n: number, seed: number, amp = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * amp;
  });
}

/** max |got − want| relative to max |want|. */
function relErr(got: Float32Array, want: Float32Array): number {
  let mag = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    mag = Math.max(mag, Math.abs(want[i]!));
    err = Math.max(err, Math.abs(got[i]! - want[i]!));
  }
  return err / (mag || 1);
}

// f16: probabilities are rounded to f16 after the softmax (as llama.cpp), so a last-bit difference in a
// score (f32 lane sums in wasm, a sequential double sum in TS) can move a probability by one f16 step
// (2^-11 relative): the tolerance is that step, far below what a wrong index or mask would give.
const CASES: Array<{ type: KvType; hd: number; nHead: number; nHeadKv: number; tol: number }> = [
  { type: 'f32', hd: 12, nHead: 6, nHeadKv: 2, tol: 2e-6 },
  { type: 'f16', hd: 96, nHead: 4, nHeadKv: 4, tol: 5e-4 },
  { type: 'f16', hd: 20, nHead: 8, nHeadKv: 2, tol: 5e-4 },
  { type: 'f16', hd: 12, nHead: 3, nHeadKv: 1, tol: 5e-4 },
  { type: 'q8_0', hd: 64, nHead: 4, nHeadKv: 2, tol: 2e-6 },
];

for (const { type, hd, nHead, nHeadKv, tol } of CASES) {
  test(`wasm attention matches the TS reference: ${type} cache, head dim ${hd}, ${nHead}/${nHeadKv} heads`, () => {
    const nLayer = 3;
    const nCtx = 70;
    const kvDim = nHeadKv * hd;
    const qDim = nHead * hd;
    const stride = qDim + 2 * kvDim; // the model's fused qkv rows
    const cache = new KvCache(nLayer, nCtx, nHeadKv, hd, type, 32, nHead);
    const rows = rand(nCtx * stride, 7 + hd, 3);
    // a 41-token prefix in two batches, then single tokens, on layer 1; layers 0 and 2 stay empty
    const layer = 1;
    for (const [pos0, n] of [
      [0, 25],
      [25, 16],
      [41, 1],
      [42, 1],
    ] as const) {
      for (let i = 0; i < n; i++)
        cache.store(layer, pos0 + i, rows, (pos0 + i) * stride + qDim, (pos0 + i) * stride + qDim + kvDim);
      for (const prescale of [true, false]) {
        for (const window of [0, 7]) {
          const a = { nHead, scale: 1 / Math.sqrt(hd), prescale, window };
          const got = new Float32Array(n * qDim);
          const want = new Float32Array(n * qDim);
          const call = { layer, q: rows, qOff: pos0 * stride, qStride: stride, n, pos0, outStride: qDim };
          cache.attend({ ...call, out: want }, a, 'ref');
          got.fill(Number.NaN);
          cache.attend({ ...call, out: got }, a, 'wasm');
          const e = relErr(got, want);
          assert.ok(
            e <= tol,
            `pos0 ${pos0} n ${n} prescale ${prescale} window ${window}: rel err ${e} > ${tol}`,
          );
        }
      }
    }
    // q is not modified by the kernel
    assert.deepEqual(rows.subarray(0, 8), rand(nCtx * stride, 7 + hd, 3).subarray(0, 8), 'q untouched');
  });
}

test('the cache stores what it is given: f32 exactly, f16 rounded, q8_0 within a block step', () => {
  const hd = 32;
  const x = rand(2 * 2 * hd, 3, 4);
  for (const type of ['f32', 'f16', 'q8_0'] as const) {
    const c = new KvCache(2, 4, 2, hd, type, 4, 2);
    c.store(1, 2, x, 0, 2 * hd);
    const k = c.read(1, 'k', 3).subarray(2 * 2 * hd);
    const v = c.read(1, 'v', 3).subarray(2 * 2 * hd);
    const tol = type === 'f32' ? 0 : type === 'f16' ? 4 / 1024 : 4 / 127;
    for (let d = 0; d < 2 * hd; d++) {
      assert.ok(Math.abs(k[d]! - x[d]!) <= tol, `${type} k[${d}] ${k[d]} vs ${x[d]}`);
      assert.ok(Math.abs(v[d]! - x[2 * hd + d]!) <= tol, `${type} v[${d}]`);
    }
  }
  assert.equal(kvRowBytes('q8_0', 3072), 3264);
  assert.equal(kvRowBytes('f16', 3072), 6144);
});

test('the f16 cache rounds exactly as the TS conversion (ties to even, subnormals, overflow, NaN)', () => {
  const hd = 16;
  const x = new Float32Array(2 * hd);
  const edge = [
    0,
    -0,
    1 + 2 ** -11,
    1 + 3 * 2 ** -11,
    65504,
    65520,
    1e6,
    -1e6,
    2 ** -24,
    2 ** -25,
    3 * 2 ** -26,
    1e-8,
  ];
  edge.push(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 0.1, -0.3333, 5.96e-8);
  x.set(edge.slice(0, 2 * hd));
  const r = rand(2 * hd, 7, 3);
  for (let i = edge.length; i < 2 * hd; i++) x[i] = r[i]!;
  const c = new KvCache(1, 2, 1, hd, 'f16', 1, 1);
  c.store(0, 1, x, 0, hd);
  const got = [...c.read(0, 'k', 2).subarray(hd), ...c.read(0, 'v', 2).subarray(hd)];
  for (let i = 0; i < 2 * hd; i++) {
    const want = roundToF16(x[i]!);
    assert.ok(
      Object.is(got[i], want) || (Number.isNaN(got[i]!) && Number.isNaN(want)),
      `[${i}] ${x[i]}: ${got[i]} vs ${want}`,
    );
  }
});

test('bad cache settings and positions are named', () => {
  assert.throws(() => new KvCache(1, 8, 1, 48, 'q8_0', 4, 1), /multiple of 32, got 48/);
  assert.throws(() => new KvCache(1, 8, 1, 32, 'q4' as KvType, 4, 1), /"q4" is not one of/);
  const c = new KvCache(1, 8, 1, 32, 'f16', 4, 1);
  assert.throws(() => c.store(0, 8, new Float32Array(64), 0, 32), /position 8 outside its 8 positions/);
  assert.throws(() => c.store(1, 0, new Float32Array(64), 0, 32), /layer 1 out of range/);
  assert.throws(() => new KvCache(1, 2 ** 20, 32, 128, 'f32', 4, 32), /memory limit/);
});

test('attention split by KV heads over worker threads (shared cache memory) equals the calling thread alone', () => {
  const be = createBackend({ threads: 3 });
  try {
    assert.ok(be.parallel, 'a 3-thread backend offers parallel attention');
    for (const { type, hd, nHead, nHeadKv } of [
      { type: 'f16' as const, hd: 32, nHead: 8, nHeadKv: 8 },
      { type: 'q8_0' as const, hd: 32, nHead: 6, nHeadKv: 3 },
      { type: 'f32' as const, hd: 12, nHead: 4, nHeadKv: 2 },
    ]) {
      const nCtx = 40;
      const kvDim = nHeadKv * hd;
      const qDim = nHead * hd;
      const stride = qDim + 2 * kvDim;
      const solo = new KvCache(2, nCtx, nHeadKv, hd, type, 16, nHead);
      const split = new KvCache(2, nCtx, nHeadKv, hd, type, 16, nHead, be.parallel);
      split.minSplitValues = 0;
      const rows = rand(nCtx * stride, 11 + hd, 2);
      for (const [pos0, n] of [
        [0, 13],
        [13, 1],
        [14, 2],
      ] as const) {
        for (const c of [solo, split])
          for (let i = 0; i < n; i++)
            c.store(1, pos0 + i, rows, (pos0 + i) * stride + qDim, (pos0 + i) * stride + qDim + kvDim);
        const a = { nHead, scale: 1 / Math.sqrt(hd), prescale: true, window: 0 };
        const call = { layer: 1, q: rows, qOff: pos0 * stride, qStride: stride, n, pos0, outStride: qDim };
        const want = new Float32Array(n * qDim);
        const got = new Float32Array(n * qDim).fill(Number.NaN);
        solo.attend({ ...call, out: want }, a, 'wasm');
        split.attend({ ...call, out: got }, a, 'wasm');
        // each head's arithmetic is the same whichever thread runs it: bit-identical
        assert.deepEqual(got, want, `${type} ${nHead}/${nHeadKv} heads, pos0 ${pos0} n ${n}`);
      }
    }
  } finally {
    be.dispose();
  }
});
