// Gradient checks: each backward op and the whole phi3 model against central finite differences in float64.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RefGemm } from '../../src/train/gemm.js';
import { TrainModel, type TrainModelConfig } from '../../src/train/model.js';
import {
  attentionBackward,
  attentionForward,
  crossEntropy,
  rmsnormBackward,
  rmsnormForward,
  rope,
  ropeTables,
  siluMulBackward,
  siluMulForward,
} from '../../src/train/ops.js';
import { Rng } from '../../src/train/rng.js';

/** Max relative error allowed between analytic and float64 central-difference gradients. */
const TOL_REL = 1e-6;
const H = 1e-5;

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1e-8, Math.abs(a) + Math.abs(b));
}

/**
 * Checks d(Σ y·R)/dx for a function f(arena) that writes y from x: analytic `back` vs central differences.
 * Returns the max relative error.
 */
function check(
  arena: Float64Array,
  xs: [number, number][],
  y: [number, number],
  fwd: () => void,
  back: (dyOff: number) => Map<number, number>,
  rng: Rng,
  dyOff: number,
): number {
  const R = new Float64Array(y[1]);
  for (let i = 0; i < R.length; i++) R[i] = rng.next() - 0.5;
  const obj = () => {
    fwd();
    let s = 0;
    for (let i = 0; i < y[1]; i++) s += arena[y[0] + i] * R[i];
    return s;
  };
  obj();
  arena.set(R, dyOff);
  const grads = back(dyOff); // map from x element offset to analytic gradient offset
  let worst = 0;
  for (const [xo, n] of xs) {
    for (let i = 0; i < n; i++) {
      const old = arena[xo + i];
      arena[xo + i] = old + H;
      const fp = obj();
      arena[xo + i] = old - H;
      const fm = obj();
      arena[xo + i] = old;
      const num = (fp - fm) / (2 * H);
      const go = grads.get(xo);
      assert.ok(go !== undefined);
      const an = arena[go + i];
      if (Math.abs(num) + Math.abs(an) > 1e-7) worst = Math.max(worst, relErr(num, an));
    }
  }
  return worst;
}

test('rmsnorm backward matches finite differences (x and w)', (t) => {
  const a = new Float64Array(1000);
  const r = new Rng(1);
  const n = 3;
  const d = 7;
  const [x, w, y, rs, dy, dx, dw] = [0, 40, 60, 100, 110, 140, 170];
  for (let i = 0; i < n * d; i++) a[x + i] = r.next() * 2 - 1;
  for (let i = 0; i < d; i++) a[w + i] = r.next() + 0.5;
  const err = check(
    a,
    [
      [x, n * d],
      [w, d],
    ],
    [y, n * d],
    () => rmsnormForward(a, x, w, y, rs, n, d, 1e-5),
    (g) => {
      a.fill(0, dx, dx + n * d);
      a.fill(0, dw, dw + d);
      rmsnormBackward(a, x, w, rs, g, dx, dw, n, d);
      return new Map([
        [x, dx],
        [w, dw],
      ]);
    },
    r,
    dy,
  );
  assert.ok(err < TOL_REL, `rmsnorm rel err ${err}`);
  t.diagnostic(`rmsnorm max rel err ${err.toExponential(2)}`);
});

test('rope backward (inverse rotation) matches finite differences', (t) => {
  const a = new Float64Array(400);
  const r = new Rng(2);
  const T = 3;
  const nh = 2;
  const D = 4;
  const ld = 9;
  const tab = ropeTables(T, D, 10000);
  const [x, y, dy] = [0, 100, 200];
  for (let i = 0; i < 2 * T * ld; i++) a[x + i] = r.next() - 0.5;
  const err = check(
    a,
    [[x, 2 * T * ld]],
    [y, 2 * T * ld],
    () => {
      a.copyWithin(y, x, x + 2 * T * ld);
      rope(a, y + 1, ld, 2 * T, T, nh, D, tab, 1);
    },
    (g) => {
      rope(a, g + 1, ld, 2 * T, T, nh, D, tab, -1);
      return new Map([[x, g]]);
    },
    r,
    dy,
  );
  assert.ok(err < TOL_REL, `rope rel err ${err}`);
  t.diagnostic(`rope max rel err ${err.toExponential(2)}`);
});

test('silu·up backward matches finite differences', (t) => {
  const a = new Float64Array(200);
  const r = new Rng(3);
  const n = 2;
  const F = 5;
  const [gu, h, dh, dgu] = [0, 40, 80, 120];
  for (let i = 0; i < n * 2 * F; i++) a[gu + i] = (r.next() - 0.5) * 6;
  const err = check(
    a,
    [[gu, n * 2 * F]],
    [h, n * F],
    () => siluMulForward(a, gu, h, n, F),
    (g) => {
      siluMulBackward(a, gu, g, dgu, n, F);
      return new Map([[gu, dgu]]);
    },
    r,
    dh,
  );
  assert.ok(err < TOL_REL, `silu rel err ${err}`);
  t.diagnostic(`silu·up max rel err ${err.toExponential(2)}`);
});

test('cross-entropy gradient matches finite differences', (t) => {
  const a = new Float64Array(100);
  const r = new Rng(4);
  const n = 3;
  const V = 6;
  const tg = [1, 5, 0];
  for (let i = 0; i < n * V; i++) a[i] = (r.next() - 0.5) * 4;
  const base = Float64Array.from(a.subarray(0, n * V));
  const an = Float64Array.from(base);
  crossEntropy(an, 0, tg, 0, n, V, 1);
  let worst = 0;
  for (let i = 0; i < n * V; i++) {
    const p = Float64Array.from(base);
    p[i] += H;
    const fp = crossEntropy(p, 0, tg, 0, n, V);
    p[i] -= 2 * H;
    const fm = crossEntropy(p, 0, tg, 0, n, V);
    worst = Math.max(worst, relErr((fp - fm) / (2 * H), an[i]));
  }
  assert.ok(worst < TOL_REL, `cross-entropy rel err ${worst}`);
  t.diagnostic(`cross-entropy max rel err ${worst.toExponential(2)}`);
});

test('causal attention backward (GQA, 2 sequences) matches finite differences', (t) => {
  const s = { B: 2, T: 5, nh: 4, nhKv: 2, D: 4 };
  const Dq = (s.nh + 2 * s.nhKv) * s.D;
  const E = s.nh * s.D;
  const N = s.B * s.T;
  const qkv = 0;
  const att = qkv + N * Dq;
  const out = att + s.B * s.nh * s.T * s.T;
  const dout = out + N * E;
  const dqkv = dout + N * E;
  const tmp = dqkv + N * Dq;
  const a = new Float64Array(tmp + s.T * s.T);
  const g = new RefGemm(a);
  const r = new Rng(5);
  for (let i = 0; i < N * Dq; i++) a[qkv + i] = (r.next() - 0.5) * 3;
  const err = check(
    a,
    [[qkv, N * Dq]],
    [out, N * E],
    () => attentionForward(g, qkv, att, out, s),
    (d) => {
      a.fill(0, dqkv, dqkv + N * Dq);
      attentionBackward(g, qkv, att, d, dqkv, tmp, s);
      return new Map([[qkv, dqkv]]);
    },
    r,
    dout,
  );
  assert.ok(err < TOL_REL, `attention rel err ${err}`);
  t.diagnostic(`attention max rel err ${err.toExponential(2)}`);
});

const tiny: TrainModelConfig = {
  nVocab: 64,
  nEmbd: 16,
  nLayer: 2,
  nHead: 2,
  nHeadKv: 2,
  nFf: 24,
  nCtx: 16,
  ropeTheta: 10000,
  rmsEps: 1e-5,
  tiedEmbeddings: false,
};

for (const cfg of [tiny, { ...tiny, nHead: 4, nHeadKv: 2, tiedEmbeddings: true }]) {
  test(`full model gradient matches finite differences (float64; heads ${cfg.nHead}/${cfg.nHeadKv}, tied ${cfg.tiedEmbeddings})`, (ctx) => {
    const B = 2;
    const T = 5;
    const m = new TrainModel(cfg, B, T, { precision: 'f64' });
    const r = new Rng(7);
    m.init(() => r.next());
    // larger weights than the init so every path carries signal
    for (let i = 0; i < m.params.length; i++) m.params[i] *= 10;
    for (const t of m.tensors)
      if (t.kind === 'norm') for (let i = 0; i < t.size; i++) m.params[t.offset + i] = 0.5 + r.next();
    const inputs = Array.from({ length: B * T }, () => r.int(cfg.nVocab));
    const targets = Array.from({ length: B * T }, () => r.int(cfg.nVocab));
    m.zeroGrads();
    const loss = m.forwardBackward(inputs, targets);
    assert.ok(Math.abs(loss - m.loss(inputs, targets)) < 1e-12);
    let worst = 0;
    let checked = 0;
    for (const t of m.tensors) {
      // a sample of each tensor's elements (all rows of the embedding that the inputs use)
      const idx = new Set<number>();
      for (let k = 0; k < 12; k++) idx.add(r.int(t.size));
      if (t.kind === 'embedding') for (let k = 0; k < 4; k++) idx.add(inputs[k] * cfg.nEmbd + k);
      for (const i of idx) {
        const o = t.offset + i;
        const old = m.params[o];
        m.params[o] = old + H;
        const fp = m.loss(inputs, targets);
        m.params[o] = old - H;
        const fm = m.loss(inputs, targets);
        m.params[o] = old;
        const num = (fp - fm) / (2 * H);
        const an = m.grads[o];
        if (Math.abs(num) + Math.abs(an) > 1e-9) {
          const e = relErr(num, an);
          assert.ok(e < 1e-5, `${t.name}[${i}]: analytic ${an} vs numeric ${num} (rel ${e})`);
          worst = Math.max(worst, e);
          checked++;
        }
      }
    }
    assert.ok(checked > 100, `only ${checked} gradient elements were checked`);
    ctx.diagnostic(`full model: ${checked} elements, max rel err ${worst.toExponential(2)}`);
  });
}

test('float32 WASM model agrees with the float64 reference (loss and gradients)', (t) => {
  const cfg = { ...tiny, nEmbd: 32, nHead: 4, nHeadKv: 2, nFf: 40 };
  const B = 2;
  const T = 9;
  const m64 = new TrainModel(cfg, B, T, { precision: 'f64' });
  const m32 = new TrainModel(cfg, B, T);
  const r = new Rng(9);
  m64.init(() => r.next());
  m32.params.set(m64.params);
  const inputs = Array.from({ length: B * T }, () => r.int(cfg.nVocab));
  const targets = Array.from({ length: B * T }, () => r.int(cfg.nVocab));
  m64.zeroGrads();
  m32.zeroGrads();
  const l64 = m64.forwardBackward(inputs, targets);
  const l32 = m32.forwardBackward(inputs, targets);
  assert.ok(Math.abs(l64 - l32) < 1e-5, `loss f32 ${l32} vs f64 ${l64}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < m64.grads.length; i++) {
    num += (m64.grads[i] - m32.grads[i]) ** 2;
    den += m64.grads[i] ** 2;
  }
  assert.ok(Math.sqrt(num / den) < 1e-4, `gradient relative L2 error ${Math.sqrt(num / den)}`);
  t.diagnostic(
    `f32 WASM vs f64: |Δloss| ${Math.abs(l64 - l32).toExponential(2)}, grad rel L2 ${Math.sqrt(num / den).toExponential(2)}`,
  );
});
