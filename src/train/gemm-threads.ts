// Worker threads for the training GEMMs: rows of C split across workers sharing the wasm memory (spin, then wait).
import { Worker } from 'node:worker_threads';
import { MAX_THREADS, type RowSplitter, trainKernelsModule, type WasmGemm, workspaceOffset } from './gemm.js';

// Control block (Int32): [0] generation, [1] workers done, [2] unused, [3..14] gemm args, [16 + 2w] row start,
// [17 + 2w] row end.
const GEN = 0;
const DONE = 1;
const ARGS = 3;
const RANGES = 16;
const SPIN_MS = 3;

/** Worker body (plain JS: runs without a TypeScript loader); worker w uses GEMM workspace w + 1. */
const workerSource = `
const { workerData } = require('node:worker_threads');
const { memory, module, ctl: sab, index, ws } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(sab);
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
    k.gemm(g(0) + 4 * i0 * g(1), g(1), g(2), g(3), g(4), g(5), g(6) + 4 * i0 * g(7), g(7), i1 - i0, g(9), g(10), g(11), ws);
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
    const module = trainKernelsModule();
    for (let w = 0; w < threads - 1; w++) {
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: {
          memory: gemm.memory,
          module,
          ctl: sab,
          index: w,
          ws: workspaceOffset(gemm.memory, w + 1),
        },
      });
      worker.on('error', (e) => {
        this.failure = e;
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  run(args: number[], M: number): void {
    const ctl = this.ctl;
    const n = this.threads;
    // the calling thread takes the first range, worker w the range w + 1 (multiples of the 4-row micro-tile)
    const per = Math.ceil(M / n / 4) * 4;
    for (let w = 0; w < n - 1; w++) {
      ctl[RANGES + 2 * w] = Math.min(M, (w + 1) * per);
      ctl[RANGES + 2 * w + 1] = Math.min(M, (w + 2) * per);
    }
    for (let i = 0; i < args.length; i++) ctl[ARGS + i] = args[i];
    Atomics.store(ctl, DONE, 0);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    const i1 = Math.min(M, per);
    if (i1 > 0) this.gemm.gemmLocal(args, 0, i1);
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
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS))
    throw new Error(`threads must be an integer in 1..${MAX_THREADS}, got ${threads}`);
  gemm.splitter?.close?.();
  gemm.splitter = threads > 1 ? new ThreadSplitter(gemm, threads) : undefined;
}
