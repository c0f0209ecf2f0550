// Worker threads for the training GEMMs: chunks of C's rows claimed by the caller and workers sharing the wasm memory.
import { Worker } from 'node:worker_threads';
import { MAX_THREADS, type RowSplitter, trainKernelsModule, type WasmGemm, workspaceOffset } from './gemm.js';

// Control block (Int32): [0] job generation (−1 stops the workers), [1] chunks finished, [2] claim word
// ((generation mod 2^15) << 16 | next chunk), [3..14] gemm args, [15] chunk count, [16] rows per chunk.
// The rows of C are cut into a few chunks per thread that every thread (caller included) claims by
// compare-exchange on the claim word until none are left: a worker that the OS has descheduled (the machine
// is shared) leaves its chunks to the others instead of stalling the step. A row's arithmetic does not depend
// on the thread or chunk that computes it, so the results are bit-identical to one thread.
const GEN = 0;
const DONE = 1;
const CLAIM = 2;
const ARGS = 3;
const NCHUNK = 15;
const CHUNK = 16;
const CTL_INTS = 17;
const SPIN_MS = 1;

/** Worker body (plain JS: runs without a TypeScript loader); worker w uses GEMM workspace w + 1. */
const workerSource = `
const { workerData } = require('node:worker_threads');
const { memory, module, ctl: sab, ws } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(sab);
let seen = 0;
for (;;) {
  const t0 = Date.now();
  while (Atomics.load(ctl, ${GEN}) === seen) {
    if (Date.now() - t0 > ${SPIN_MS}) Atomics.wait(ctl, ${GEN}, seen, 50);
  }
  seen = Atomics.load(ctl, ${GEN});
  if (seen < 0) break;
  const tag = (seen & 0x7fff) << 16;
  const g = (i) => ctl[${ARGS} + i];
  const n = ctl[${NCHUNK}], cs = ctl[${CHUNK}], M = g(8);
  for (;;) {
    const st = Atomics.load(ctl, ${CLAIM});
    if ((st & ~0xffff) !== tag || (st & 0xffff) >= n) break;
    if (Atomics.compareExchange(ctl, ${CLAIM}, st, st + 1) !== st) continue;
    const i0 = (st & 0xffff) * cs, i1 = Math.min(M, i0 + cs);
    k.gemm(g(0) + 4 * i0 * g(1), g(1), g(2), g(3), g(4), g(5), g(6) + 4 * i0 * g(7), g(7), i1 - i0, g(9), g(10), g(11), ws);
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}
`;

/** Row splitter over `threads − 1` workers plus the calling thread. */
class ThreadSplitter implements RowSplitter {
  private ctl: Int32Array;
  private workers: Worker[] = [];
  private failure: Error | undefined;
  private gen = 0;
  constructor(
    private gemm: WasmGemm,
    readonly threads: number,
  ) {
    const sab = new SharedArrayBuffer(4 * CTL_INTS);
    this.ctl = new Int32Array(sab);
    const module = trainKernelsModule();
    for (let w = 0; w < threads - 1; w++) {
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: { memory: gemm.memory, module, ctl: sab, ws: workspaceOffset(gemm.memory, w + 1) },
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
    // about three chunks per thread, whole 4-row micro-tiles, at least 16 rows
    const cs = Math.max(16, Math.ceil(M / (3 * this.threads) / 4) * 4);
    const n = Math.ceil(M / cs);
    this.gen = (this.gen + 1) & 0x3fffffff;
    const tag = (this.gen & 0x7fff) << 16;
    for (let i = 0; i < args.length; i++) ctl[ARGS + i] = args[i];
    ctl[NCHUNK] = n;
    ctl[CHUNK] = cs;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, CLAIM, tag);
    Atomics.store(ctl, GEN, this.gen);
    Atomics.notify(ctl, GEN);
    for (;;) {
      const st = Atomics.load(ctl, CLAIM);
      if ((st & 0xffff) >= n) break;
      if (Atomics.compareExchange(ctl, CLAIM, st, st + 1) !== st) continue;
      const i0 = (st & 0xffff) * cs;
      this.gemm.gemmLocal(args, i0, Math.min(M, i0 + cs));
      Atomics.add(ctl, DONE, 1);
    }
    for (;;) {
      const d = Atomics.load(ctl, DONE);
      if (d >= n) break;
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
