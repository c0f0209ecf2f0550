// WASM SIMD training GEMM (train-kernels.wat, plain and relaxed builds) vs its plain-TS twins over odd sizes and strides.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectRelaxedSimd } from '../../src/kernels/relaxed.js';
import { wasmBase64 as plainBase64 } from '../../src/kernels/wasm/train-kernels.generated.js';
import { wasmBase64 as relaxedBase64 } from '../../src/kernels/wasm/train-kernels-relaxed.generated.js';
import {
  createWasmMemory,
  gemmNtRef,
  gemmRef,
  gemmXnRef,
  type TrainKernels,
  WasmGemm,
  workspaceOffset,
} from '../../src/train/gemm.js';
import { mulberry32 } from '../../src/util/prng.js';

/** float32 sums in a different order: relative tolerance per element scaled by K. */
const TOL_F32 = 2e-5;

/** mulberry32 floats in [-0.5, 0.5). */
function rng(seed: number): () => number {
  const r = mulberry32(seed);
  return () => r() - 0.5;
}

function check(got: Float32Array, want: Float64Array, K: number, what: string) {
  for (let i = 0; i < want.length; i++) {
    const tol = TOL_F32 * Math.sqrt(K + 1) * (1 + Math.abs(want[i]));
    assert.ok(Math.abs(got[i] - want[i]) <= tol, `${what}: element ${i} got ${got[i]} want ${want[i]}`);
  }
}

const sizes: [number, number, number][] = [
  [1, 1, 1],
  [2, 4, 4],
  [3, 5, 7],
  [7, 9, 13],
  [8, 16, 32],
  [13, 17, 33],
  [33, 40, 130],
  [5, 260, 3],
];

test('gemm_nt matches the reference (strided, accumulate or not)', () => {
  const g = new WasmGemm(createWasmMemory(1 << 20));
  const r = rng(1);
  for (const [M, N, K] of sizes) {
    for (const acc of [false, true]) {
      const lda = K + 3;
      const ldb = K + 1;
      const ldc = N + 2;
      const a = 4;
      const b = a + M * lda + 5;
      const c = b + N * ldb + 7;
      const len = c + M * ldc;
      for (let i = 0; i < len; i++) g.arena[i] = r();
      const ref = Float64Array.from(g.arena.subarray(0, len));
      gemmNtRef(ref, a, lda, b, ldb, c, ldc, M, N, K, acc);
      g.nt(a, lda, b, ldb, c, ldc, M, N, K, acc);
      check(g.arena.subarray(0, len), ref, K, `nt ${M}x${N}x${K} acc=${acc}`);
    }
  }
});

test('gemm_xn matches the reference as A·B and as Aᵀ·B', () => {
  const g = new WasmGemm(createWasmMemory(1 << 20));
  const r = rng(2);
  for (const [M, N, K] of [...sizes, [9, 24, 300] as [number, number, number]]) {
    for (const trans of [false, true]) {
      for (const acc of [false, true]) {
        const lda = (trans ? M : K) + 1;
        const ldb = N + 3;
        const ldc = N + 1;
        const a = 0;
        const b = (trans ? K : M) * lda + 3;
        const c = b + K * ldb + 1;
        const len = c + M * ldc;
        for (let i = 0; i < len; i++) g.arena[i] = r();
        const ref = Float64Array.from(g.arena.subarray(0, len));
        const [sai, sak] = trans ? [1, lda] : [lda, 1];
        gemmXnRef(ref, a, sai, sak, b, ldb, c, ldc, M, N, K, acc);
        g.xn(a, sai, sak, b, ldb, c, ldc, M, N, K, acc);
        check(g.arena.subarray(0, len), ref, K, `xn ${M}x${N}x${K} trans=${trans} acc=${acc}`);
      }
    }
  }
});

test('row-split over 2 threads gives the same bits as 1 thread', async () => {
  const { attachThreads } = await import('../../src/train/gemm-threads.js');
  const g = new WasmGemm(createWasmMemory(1 << 20));
  const r = rng(3);
  const [M, N, K] = [70, 48, 96];
  const a = 0;
  const b = M * K;
  const c = b + Math.max(N, M) * K;
  const c2 = c + M * Math.max(N, K);
  for (let i = 0; i < c; i++) g.arena[i] = r();
  g.nt(a, K, b, K, c, N, M, N, K, false);
  g.xn(a, 1, M, b, N, c + M * N, N, M, N, K, false);
  const want = g.arena.slice(c, c + 2 * M * N);
  attachThreads(g, 2);
  g.minParallelWork = 0;
  g.nt(a, K, b, K, c2, N, M, N, K, false);
  g.xn(a, 1, M, b, N, c2 + M * N, N, M, N, K, false);
  g.splitter?.close?.();
  assert.deepEqual(g.arena.slice(c2, c2 + 2 * M * N), want);
});

test('both builds (plain SIMD128, relaxed FMA) match gemmRef across blocks and all stride layouts', () => {
  const mem = createWasmMemory(1 << 21);
  const arena = new Float32Array(mem.buffer);
  const builds: [string, string][] = [['plain', plainBase64]];
  if (detectRelaxedSimd()) builds.push(['relaxed', relaxedBase64]);
  const r = rng(4);
  // sizes crossing the 4×8 micro-tile, MC = 128, KC = 256 and NC = 512 block edges
  const cases: [number, number, number][] = [
    [3, 7, 5],
    [131, 19, 9],
    [6, 517, 33],
    [9, 12, 300],
    [133, 521, 260],
  ];
  for (const [name, b64] of builds) {
    const k = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(b64, 'base64')), {
      env: { memory: mem },
    }).exports as unknown as TrainKernels;
    const ws = workspaceOffset(mem, 0);
    for (const [M, N, K] of cases) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const acc = ta !== tb;
          const lda = (ta ? M : K) + 1;
          const ldb = (tb ? K : N) + 2;
          const ldc = N + 3;
          const a = 1;
          const b = a + (ta ? K : M) * lda + 2;
          const c = b + (tb ? N : K) * ldb + 3;
          const len = c + M * ldc + 5;
          for (let i = 0; i < len; i++) arena[i] = r();
          const ref = Float64Array.from(arena.subarray(0, len));
          const [sai, sak] = ta ? [1, lda] : [lda, 1];
          const [sbk, sbj] = tb ? [1, ldb] : [ldb, 1];
          gemmRef(ref, a, sai, sak, b, sbk, sbj, c, ldc, M, N, K, acc);
          k.gemm(a * 4, sai, sak, b * 4, sbk, sbj, c * 4, ldc, M, N, K, acc ? 1 : 0, ws);
          check(arena.subarray(0, len), ref, K, `${name} ${M}x${N}x${K} ta=${ta} tb=${tb} acc=${acc}`);
        }
      }
    }
  }
});

test('gemmRef agrees with gemmNtRef and gemmXnRef', () => {
  const r = rng(5);
  const x = Float64Array.from({ length: 400 }, () => r());
  const [M, N, K] = [5, 6, 7];
  const y = x.slice();
  gemmRef(x, 0, K, 1, 50, 1, K, 200, N, M, N, K, true);
  gemmNtRef(y, 0, K, 50, K, 200, N, M, N, K, true);
  assert.deepEqual(x, y);
  gemmRef(x, 0, 1, M, 50, N, 1, 300, N, M, N, K, false);
  gemmXnRef(y, 0, 1, M, 50, N, 300, N, M, N, K, false);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) < 1e-12, `element ${i}`);
});

test('a whole forward/backward over 2 threads (GEMM chunks, attention batches) gives the same bits as 1', async () => {
  const { attachThreads } = await import('../../src/train/gemm-threads.js');
  const { TrainModel } = await import('../../src/train/model.js');
  const cfg = {
    nVocab: 50,
    nEmbd: 32,
    nLayer: 2,
    nHead: 4,
    nHeadKv: 2,
    nFf: 40,
    nCtx: 80,
    ropeTheta: 10000,
    rmsEps: 1e-5,
    tiedEmbeddings: false,
  };
  const [B, T] = [3, 70];
  const r = rng(7);
  const inputs = Int32Array.from({ length: B * T }, () => Math.floor((r() + 0.5) * 50));
  const targets = Int32Array.from({ length: B * T }, () => Math.floor((r() + 0.5) * 50));
  const run = (threads: number, callerWorks = true) => {
    const m = new TrainModel(cfg, B, T);
    const rr = rng(8);
    m.init(() => rr() + 0.5);
    const g = m.gemm as WasmGemm;
    if (threads > 1) {
      attachThreads(g, threads);
      g.minParallelWork = 0;
      // the workers take every chunk (GEMM rows, attention batches), so their code paths are the ones checked
      (g.splitter as unknown as { callerWorks: boolean }).callerWorks = callerWorks;
    }
    m.zeroGrads();
    const loss = m.forwardBackward(inputs, targets);
    g.splitter?.close?.();
    return { loss, grads: Float32Array.from(m.grads) };
  };
  const one = run(1);
  assert.ok(Number.isFinite(one.loss) && one.loss > 0);
  for (const callerWorks of [true, false]) {
    const two = run(2, callerWorks);
    assert.equal(two.loss, one.loss);
    assert.deepEqual(two.grads, one.grads);
  }
});
