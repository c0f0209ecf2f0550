// Fused WASM training ops (train-kernels.wat: softmax, cross-entropy, RoPE, SiLU·up, RMSNorm, AdamW) vs their TS twins.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWasmMemory, kernelsFor, WasmGemm } from '../../src/train/gemm.js';
import type { ParamTensor } from '../../src/train/model.js';
import {
  crossEntropy,
  crossEntropyWasm,
  rmsnormBackward,
  rmsnormForward,
  rope,
  ropeTables,
  siluMulBackward,
  siluMulForward,
  softmaxCausal,
  softmaxCausalBackward,
} from '../../src/train/ops.js';
import { AdamW, clipGradNorm, gradNorm } from '../../src/train/optim.js';
import { mulberry32 } from '../../src/util/prng.js';

/** mulberry32 floats in [-0.5, 0.5). */
function rng(seed: number): () => number {
  const r = mulberry32(seed);
  return () => r() - 0.5;
}

/** A float32 wasm arena filled with uniform values in [−scale/2, scale/2), and a float64 copy. */
function setup(len: number, seed: number, scale = 1) {
  const g = new WasmGemm(createWasmMemory(len + 64));
  const r = rng(seed);
  for (let i = 0; i < len; i++) g.arena[i] = r() * scale;
  return { g, a: g.arena, ref: Float64Array.from(g.arena.subarray(0, len)) };
}

function close(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  o: number,
  n: number,
  tol: number,
  what: string,
) {
  let worst = 0;
  for (let i = o; i < o + n; i++) {
    const e = Math.abs(got[i] - want[i]) / (1e-3 + Math.abs(want[i]));
    if (e > worst) worst = e;
    assert.ok(e <= tol, `${what}: element ${i - o} got ${got[i]} want ${want[i]}`);
  }
  return worst;
}

test('causal softmax forward and backward match the TS twins (odd T, non-aligned rows)', () => {
  for (const T of [1, 5, 37, 64]) {
    const P = 3;
    const dP = P + T * T + 1;
    const { g, a, ref } = setup(dP + T * T, T, 8);
    g.k.softmax_causal(P * 4, T, 0.3, g.scratch);
    softmaxCausal(ref, P, T, 0.3);
    close(a, ref, P, T * T, 2e-6, `softmax T=${T}`);
    // upper triangle is exactly zero
    for (let t = 0; t < T; t++) for (let j = t + 1; j < T; j++) assert.equal(a[P + t * T + j], 0);
    for (let i = P; i < P + T * T; i++) ref[i] = a[i];
    g.k.softmax_causal_bwd(P * 4, dP * 4, T, 0.3);
    softmaxCausalBackward(ref, P, dP, T, 0.3);
    close(a, ref, dP, T * T, 2e-5, `softmax backward T=${T}`);
  }
});

test('exp stays accurate over the clamped range (via a one-element softmax row pair)', () => {
  // row [0, x]: p1 = e^x/(1+e^x) exercises exp(x − max) for x from −80 to 80
  const { g, a } = setup(16, 1);
  for (let x = -80; x <= 80; x += 0.37) {
    a[0] = 0;
    a[1] = x;
    g.k.ce_row(0, 2, 0, 1, 0, g.scratch);
    const o = g.scratch / 4;
    const mx = Math.max(0, x);
    assert.equal(a[o], Math.fround(mx));
    const want = Math.exp(-mx) + Math.exp(x - mx);
    assert.ok(Math.abs(a[o + 1] - want) <= 3e-7 * want, `exp at ${x}: sum ${a[o + 1]} want ${want}`);
  }
});

test('cross-entropy: loss and gradient match the TS twin; a target outside the vocab is an error', () => {
  const n = 5;
  for (const V of [7, 64, 1001]) {
    const { g, a, ref } = setup(n * V + 8, V, 12);
    const targets = Int32Array.from({ length: n + 2 }, (_, i) => (i * 37 + 3) % V);
    const lw = crossEntropyWasm(g, 4, targets, 2, n, V);
    const lr = crossEntropy(ref, 4, targets, 2, n, V);
    assert.ok(Math.abs(lw - lr) <= 1e-5 * n, `loss V=${V}: ${lw} vs ${lr}`);
    const gw = crossEntropyWasm(g, 4, targets, 2, n, V, 0.25);
    const gr = crossEntropy(ref, 4, targets, 2, n, V, 0.25);
    assert.ok(Math.abs(gw - gr) <= 1e-5 * n, `loss with grad V=${V}: ${gw} vs ${gr}`);
    for (let i = 4; i < 4 + n * V; i++)
      assert.ok(Math.abs(a[i] - ref[i]) <= 2e-7, `grad V=${V} element ${i}: ${a[i]} vs ${ref[i]}`);
    assert.throws(() => crossEntropyWasm(g, 4, [V], 0, 1, V), /target .* outside vocab/);
  }
});

test('RoPE (forward and inverse rotation) matches the TS twin', () => {
  const [T, D, nh, ld, rows] = [5, 16, 3, 53, 10];
  const tab = ropeTables(T, D, 10000);
  const cos = 1;
  const sin = cos + (T * D) / 2;
  const x = sin + (T * D) / 2 + 2;
  const { g, a, ref } = setup(x + rows * ld, 13, 2);
  a.set(tab.cos, cos);
  a.set(tab.sin, sin);
  for (const sign of [1, -1] as const) {
    g.k.rope((x + 3) * 4, ld, rows, T, nh, D, cos * 4, sin * 4, sign);
    rope(ref, x + 3, ld, rows, T, nh, D, tab, sign);
    close(a, ref, x, rows * ld, 1e-5, `rope sign ${sign}`);
  }
});

test('SiLU·up forward and backward match the TS twins', () => {
  const n = 3;
  const F = 12;
  const gu = 0;
  const h = gu + n * 2 * F;
  const dh = h + n * F;
  const dgu = dh + n * F;
  const { g, a, ref } = setup(dgu + n * 2 * F, 9, 16);
  g.k.silu_mul(gu * 4, h * 4, n, F);
  siluMulForward(ref, gu, h, n, F);
  close(a, ref, h, n * F, 1e-6, 'silu forward');
  g.k.silu_mul_bwd(gu * 4, dh * 4, dgu * 4, n, F);
  siluMulBackward(ref, gu, dh, dgu, n, F);
  close(a, ref, dgu, n * 2 * F, 1e-5, 'silu backward');
});

test('RMSNorm forward and backward match the TS twins', () => {
  const n = 4;
  const d = 20;
  const x = 0;
  const w = x + n * d;
  const y = w + d;
  const rs = y + n * d;
  const dy = rs + n;
  const dx = dy + n * d;
  const dw = dx + n * d;
  const { g, a, ref } = setup(dw + d, 11, 3);
  g.k.rmsnorm(x * 4, w * 4, y * 4, rs * 4, n, d, 1e-5);
  rmsnormForward(ref, x, w, y, rs, n, d, 1e-5);
  close(a, ref, y, n * d, 1e-6, 'rmsnorm forward');
  close(a, ref, rs, n, 1e-6, 'rmsnorm r');
  for (let i = rs; i < rs + n; i++) ref[i] = a[i];
  g.k.rmsnorm_bwd(x * 4, w * 4, rs * 4, dy * 4, dx * 4, dw * 4, n, d);
  rmsnormBackward(ref, x, w, rs, dy, dx, dw, n, d);
  close(a, ref, dx, n * d, 1e-5, 'rmsnorm dx');
  close(a, ref, dw, d, 1e-5, 'rmsnorm dw');
});

test('AdamW in WASM (state in the wasm memory) matches the TypeScript update; norms and clipping too', () => {
  const n = 40;
  const tensors: ParamTensor[] = [
    { name: 'a.weight', rows: 4, cols: 6, offset: 0, size: 24, kind: 'matrix' },
    { name: 'n.weight', rows: 1, cols: 16, offset: 24, size: 16, kind: 'norm' },
  ];
  const mem = createWasmMemory(4 * n + 64);
  const g = new WasmGemm(mem);
  const buf = g.arena.buffer;
  const params = new Float32Array(buf, 0, n);
  const grads = new Float32Array(buf, 4 * n, n);
  const state = {
    m: new Float32Array(buf, 8 * n, n),
    v: new Float32Array(buf, 12 * n, n),
    mask: new Uint8Array(buf, 16 * n, n),
  };
  const r = rng(5);
  for (let i = 0; i < n; i++) params[i] = r();
  const p2 = Float32Array.from(params);
  const cfg = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
  const fast = new AdamW(cfg, tensors, n, state);
  const slow = new AdamW(cfg, tensors, n);
  assert.ok(kernelsFor(params), 'params view the wasm memory');
  for (let step = 0; step < 5; step++) {
    for (let i = 0; i < n; i++) grads[i] = r() * 4;
    const g2 = Float32Array.from(grads);
    const nw = clipGradNorm(grads, 1);
    const ns = clipGradNorm(g2, 1);
    assert.ok(Math.abs(nw - ns) <= 1e-12 * ns, `grad norm ${nw} vs ${ns}`);
    close(grads, g2, 0, n, 1e-6, 'clipped grads');
    fast.step(params, grads, 1e-2);
    slow.step(p2, g2, 1e-2);
    close(params, p2, 0, n, 1e-5, `AdamW step ${step}`);
    close(state.m, slow.m, 0, n, 1e-5, 'm');
  }
  // the decay mask reached the wasm memory: matrices decay, norms do not
  assert.deepEqual([...state.mask.subarray(22, 26)], [1, 1, 0, 0]);
  assert.ok(Math.abs(gradNorm(grads) - Math.hypot(...grads)) < 1e-6);
});
