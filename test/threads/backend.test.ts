// createBackend: 1 and 2 threads, SIMD128 and relaxed, every kernel type, against the reference; errors; dispose.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { GgmlType, ggmlTypeName } from '../../src/format/ggml-types.js';
import { quantizeTensor } from '../../src/quant/index.js';
import { matmulRef } from '../../src/quant/matmul-ref.js';
import { createBackend, splitRows, WasmBackend } from '../../src/threads/index.js';
import type { WorkerInit, WorkerSpawner } from '../../src/threads/protocol.js';
import { checkAgainstRef, randomActivations, randomWeights, TOLERANCE } from '../kernels/helpers.js';

test('splitRows covers all rows in multiples of 4', () => {
  assert.deepEqual(splitRows(13, 2), [
    [0, 8],
    [8, 13],
  ]);
  assert.deepEqual(splitRows(3, 2), [
    [0, 0],
    [0, 3],
  ]);
  assert.deepEqual(splitRows(16, 3), [
    [0, 4],
    [4, 8],
    [8, 16],
  ]);
});

for (const threads of [1, 2]) {
  for (const relaxed of [false, true]) {
    test(`${threads} thread(s), ${relaxed ? 'relaxed' : 'simd128'}: every type matches the reference`, () => {
      const be = createBackend({ threads, relaxed, minSplitWeights: 0 });
      try {
        assert.match(be.name, new RegExp(`${relaxed ? 'relaxed-simd' : 'simd128'} ×${threads} thread`));
        let seed = 100;
        for (const [type, tol] of TOLERANCE) {
          const k = type === GgmlType.Q4_K || type === GgmlType.Q5_K || type === GgmlType.Q6_K;
          for (const [rows, n] of [
            [3, 1],
            [13, 3],
            [30, 17],
          ] as const) {
            const cols = k ? 512 : 96;
            const w = randomWeights(type, rows, cols, seed++);
            const m = be.prepareMatrix({ name: `w${seed}`, type, dims: [cols, rows], data: w });
            assert.deepEqual([m.rows, m.cols, m.type], [rows, cols, type]);
            const x = randomActivations(n, cols, seed++);
            const out = new Float32Array(n * rows).fill(Number.NaN);
            be.matmul(m, x, n, out);
            be.matmul(m, x, n, out); // twice: buffers and counters reused
            checkAgainstRef(
              type,
              w,
              rows,
              cols,
              x,
              n,
              out,
              tol,
              `${be.name} ${ggmlTypeName(type)} ${rows}×${cols} n=${n}`,
            );
          }
        }
      } finally {
        be.dispose();
      }
    });
  }
}

test('several matrices stay usable; larger batches grow the shared buffers', () => {
  const be = createBackend({ threads: 2, minSplitWeights: 0 });
  try {
    const a = randomWeights(GgmlType.Q4_0, 64, 128, 1);
    const b = randomWeights(GgmlType.Q8_0, 20, 256, 2);
    const ma = be.prepareMatrix({ name: 'a', type: GgmlType.Q4_0, dims: [128, 64], data: a });
    const mb = be.prepareMatrix({ name: 'b', type: GgmlType.Q8_0, dims: [256, 20], data: b });
    for (const n of [1, 40, 2]) {
      const xa = randomActivations(n, 128, n);
      const oa = new Float32Array(n * 64);
      be.matmul(ma, xa, n, oa);
      checkAgainstRef(GgmlType.Q4_0, a, 64, 128, xa, n, oa, 2e-6, `a n=${n}`);
      const xb = randomActivations(n, 256, n + 1);
      const ob = new Float32Array(n * 20);
      be.matmul(mb, xb, n, ob);
      checkAgainstRef(GgmlType.Q8_0, b, 20, 256, xb, n, ob, 2e-6, `b n=${n}`);
    }
  } finally {
    be.dispose();
  }
});

test('types without wasm kernels (q4_1, q5_0, q5_1, bf16) fall back to matmulRef exactly', () => {
  const be = createBackend({ threads: 2, minSplitWeights: 0 });
  try {
    for (const type of [GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.BF16]) {
      const cols = 256;
      const rows = 5;
      const f = randomActivations(rows, cols, type);
      const w = quantizeTensor(type, f, rows, cols);
      const m = be.prepareMatrix({ name: `f${type}`, type, dims: [cols, rows], data: w });
      const x = randomActivations(3, cols, 7);
      const out = new Float32Array(3 * rows);
      be.matmul(m, x, 3, out);
      const ref = new Float32Array(3 * rows);
      matmulRef({ type, data: w, rows, cols }, x, 3, ref, { flavor: 'x86' });
      assert.deepEqual(out, ref, ggmlTypeName(type));
    }
  } finally {
    be.dispose();
  }
});

test('bad input is rejected with messages naming the tensor', () => {
  const be = createBackend({ threads: 2, minSplitWeights: 0 });
  try {
    const data = new Uint8Array(4 * 176);
    assert.throws(
      () => be.prepareMatrix({ name: 'blk.0.ffn_down.weight', type: GgmlType.Q3_K, dims: [256, 4], data }),
      /blk\.0\.ffn_down\.weight.*q3_K.*not supported/,
    );
    assert.throws(
      () => be.prepareMatrix({ name: 'short', type: GgmlType.Q4_0, dims: [64, 4], data: new Uint8Array(10) }),
      /short.*10 bytes.*expected 144/,
    );
    assert.throws(() => be.prepareMatrix({ name: 'v', type: GgmlType.F32, dims: [4, 4, 2], data }), /2-D/);
    const m = be.prepareMatrix({ name: 'ok', type: GgmlType.F32, dims: [8, 4], data: new Uint8Array(128) });
    assert.throws(() => be.matmul(m, new Float32Array(7), 1, new Float32Array(4)), /x has 7 floats/);
  } finally {
    be.dispose();
  }
  assert.throws(() => createBackend({ threads: 0 }), /threads must be a positive integer/);
});

test('a worker that fails reports its error to the caller (no hang), and the pool is torn down', () => {
  let terminated = 0;
  // A stand-in worker speaking the control-block protocol: answers the first request with an error.
  const failing: WorkerSpawner = {
    spawn(init: WorkerInit) {
      const w = new Worker(
        `const { workerData: d } = require('node:worker_threads');
         const c = new Int32Array(d.ctrl, d.slot * 128, 32);
         Atomics.wait(c, 0, 0);
         const msg = new TextEncoder().encode('out of memory while packing');
         new Uint8Array(d.errors, d.slot * 1024, 1024).set(msg);
         Atomics.store(c, 7, msg.length);
         Atomics.store(c, 1, Atomics.load(c, 0));
         Atomics.notify(c, 1);`,
        { eval: true, workerData: init },
      );
      return {
        postMessage() {},
        terminate() {
          terminated++;
          void w.terminate();
        },
      };
    },
  };
  assert.throws(() => new WasmBackend(failing, 3, false), /kernel worker 0: out of memory while packing/);
  assert.equal(terminated, 2);
});

test('a process that disposes its 2-thread backend exits promptly', () => {
  const code = `
    import { createBackend } from './src/threads/index.ts';
    const be = createBackend({ threads: 2, minSplitWeights: 0 });
    const m = be.prepareMatrix({ name: 'w', type: 0, dims: [4, 4], data: new Uint8Array(64) });
    be.matmul(m, new Float32Array(4), 1, new Float32Array(4));
    be.dispose();
    console.log('done');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /done/);
});

test('matrices below minSplitWeights stay on the calling thread; larger ones are split', () => {
  const be = createBackend({ threads: 2, minSplitWeights: 64 * 128 + 1 });
  try {
    const small = randomWeights(GgmlType.Q8_0, 64, 128, 5);
    const big = randomWeights(GgmlType.Q8_0, 80, 128, 6);
    const ms = be.prepareMatrix({ name: 's', type: GgmlType.Q8_0, dims: [128, 64], data: small });
    const mb = be.prepareMatrix({ name: 'b', type: GgmlType.Q8_0, dims: [128, 80], data: big });
    const shares = (m: unknown) => (m as { shares: unknown[] }).shares.length;
    assert.equal(shares(ms), 1, 'small matrix: one share (this thread)');
    assert.equal(shares(mb), 2, 'large matrix: split over both threads');
    const x = randomActivations(3, 128, 9);
    const out = new Float32Array(3 * 64);
    be.matmul(ms, x, 3, out);
    checkAgainstRef(GgmlType.Q8_0, small, 64, 128, x, 3, out, 2e-6, 'small');
  } finally {
    be.dispose();
  }
});

test('a KernelPool starts a new memory when the current one would pass its limit; results stay exact', async () => {
  const { KernelModule, KernelPool } = await import('../../src/kernels/matvec.js');
  const pool = new KernelPool(() => new KernelModule(false), 3 << 20); // 3 MiB per memory
  const mats = [];
  for (let i = 0; i < 4; i++) {
    const w = randomWeights(GgmlType.Q8_0, 256, 2048, 40 + i); // 544 KiB each
    mats.push({ w, p: pool.pack(GgmlType.Q8_0, 256, 2048, w) });
  }
  assert.ok(pool.count >= 2, `${pool.count} memories for 4 matrices at a 3 MiB limit`);
  assert.notEqual(mats[0]!.p.km, mats.at(-1)!.p.km, 'later matrices live in another memory');
  for (const { w, p } of mats) {
    const x = randomActivations(2, 2048, 7);
    const out = new Float32Array(2 * 256);
    p.km.matmul(p.m, x, 2, out, 256, 0);
    checkAgainstRef(GgmlType.Q8_0, w, 256, 2048, x, 2, out, 2e-6, 'pooled');
  }
});
