// Worker threads for the training GEMMs: rows of C split across workers sharing the wasm memory (spin, then wait).
import { Worker } from 'node:worker_threads';
import { type RowSplitter, trainMatmulModule, type WasmGemm } from './gemm.js';

// Control block (Int32): [0] generation, [1] workers done, [2] op, [3..13] args, [16 + 2w] row start, [17 + 2w] row end.
const GEN = 0;
const DONE = 1;
const OP = 2;
const ARGS = 3;
const RANGES = 16;
const SPIN_MS = 3;

/** Worker body (plain JS: runs without a TypeScript loader). Mirrors ntBlocked/xnBlocked in gemm.ts. */
const workerSource = `
const { workerData } = require('node:worker_threads');
const { memory, module, ctl: sab, index } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(sab);
const NT_BLOCK_BYTES = 192 * 1024, XN_K_BLOCK = 128;
function nt(a, lda, b, ldb, c, ldc, M, N, K, acc) {
  const nb = Math.max(4, Math.floor(NT_BLOCK_BYTES / (K * 4)) & ~3);
  for (let j = 0; j < N; j += nb) k.gemm_nt(a * 4, lda, (b + j * ldb) * 4, ldb, (c + j) * 4, ldc, M, Math.min(nb, N - j), K, acc);
}
function xn(a, sai, sak, b, ldb, c, ldc, M, N, K, acc) {
  for (let k0 = 0; k0 < K; k0 += XN_K_BLOCK)
    k.gemm_xn((a + k0 * sak) * 4, sai * 4, sak * 4, (b + k0 * ldb) * 4, ldb, c * 4, ldc, M, N, Math.min(XN_K_BLOCK, K - k0), k0 > 0 || acc ? 1 : 0);
}
let gen = 0;
for (;;) {
  const t0 = Date.now();
  while (Atomics.load(ctl, ${GEN}) === gen) {
    if (Date.now() - t0 > ${SPIN_MS}) Atomics.wait(ctl, ${GEN}, gen, 50);
  }
  gen = Atomics.load(ctl, ${GEN});
  if (gen < 0) break;
  const i0 = ctl[${RANGES} + 2 * index], i1 = ctl[${RANGES} + 2 * index + 1];
  if (i1 > i0) {
    const g = (i) => ctl[${ARGS} + i];
    if (ctl[${OP}] === 0) nt(g(0) + i0 * g(1), g(1), g(2), g(3), g(4) + i0 * g(5), g(5), i1 - i0, g(7), g(8), g(9));
    else xn(g(0) + i0 * g(1), g(1), g(2), g(3), g(4), g(5) + i0 * g(6), g(6), i1 - i0, g(8), g(9), g(10));
  }
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

/** Row splitter over `threads − 1` workers plus the calling thread. */
class ThreadSplitter implements RowSplitter {
  private ctl: Int32Array;
  private workers: Worker[] = [];
  private failure: Error | undefined;
  constructor(
    private gemm: WasmGemm,
    readonly threads: number,
  ) {
    const sab = new SharedArrayBuffer(4 * (RANGES + 2 * threads));
    this.ctl = new Int32Array(sab);
    const module = trainMatmulModule();
    for (let w = 0; w < threads - 1; w++) {
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: { memory: gemm.memory, module, ctl: sab, index: w },
      });
      worker.on('error', (e) => {
        this.failure = e;
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  run(op: 0 | 1, args: number[], M: number): void {
    const ctl = this.ctl;
    const n = this.threads;
    const align = op === 0 ? 2 : 4;
    // the calling thread takes the first range, worker w the range w + 1
    const per = Math.ceil(M / n / align) * align;
    const ranges: [number, number][] = [];
    for (let t = 0; t < n; t++) ranges.push([Math.min(M, t * per), Math.min(M, (t + 1) * per)]);
    for (let w = 0; w < n - 1; w++) {
      ctl[RANGES + 2 * w] = ranges[w + 1][0];
      ctl[RANGES + 2 * w + 1] = ranges[w + 1][1];
    }
    ctl[OP] = op;
    for (let i = 0; i < args.length; i++) ctl[ARGS + i] = args[i];
    Atomics.store(ctl, DONE, 0);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    const [i0, i1] = ranges[0];
    const g = this.gemm;
    if (i1 > i0) {
      if (op === 0) {
        const [a, lda, b, ldb, c, ldc, , N, K, acc] = args;
        g.ntLocal(a + i0 * lda, lda, b, ldb, c + i0 * ldc, ldc, i1 - i0, N, K, acc);
      } else {
        const [a, sai, sak, b, ldb, c, ldc, , N, K, acc] = args;
        g.xnLocal(a + i0 * sai, sai, sak, b, ldb, c + i0 * ldc, ldc, i1 - i0, N, K, acc);
      }
    }
    for (;;) {
      const d = Atomics.load(ctl, DONE);
      if (d >= n - 1) break;
      if (this.failure) throw new Error(`GEMM worker thread failed: ${this.failure.message}`);
      Atomics.wait(ctl, DONE, d, 1);
    }
  }

  close(): void {
    Atomics.store(this.ctl, GEN, -1);
    Atomics.notify(this.ctl, GEN);
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }
}

/** Splits the GEMMs of `gemm` over `threads` threads (the caller plus threads − 1 workers). */
export function attachThreads(gemm: WasmGemm, threads: number): void {
  gemm.splitter?.close?.();
  gemm.splitter = threads > 1 ? new ThreadSplitter(gemm, threads) : undefined;
}
