// Worker threads for training: chunks of GEMM rows or attention batches claimed by the caller and the workers.
import { Worker } from 'node:worker_threads';
import { MAX_THREADS, type RowSplitter, trainKernelsModule, type WasmGemm, workspaceOffset } from './gemm.js';

// Control block (Int32): [0] job generation (−1 stops the workers), [1] chunks finished, [2] claim word
// ((generation mod 2^15) << 16 | next chunk), [3..14] job args, [15] chunk count, [16] items per chunk, [17] job
// (0 gemm, 1 attention forward, 2 attention backward), [18] item count (rows of C, or batches).
// The work is cut into a few chunks per thread that every thread (caller included) claims by compare-exchange
// on the claim word until none are left: a worker that the OS has descheduled (the machine is shared) leaves
// its chunks to the others instead of stalling the step. An item's arithmetic does not depend on the thread or
// chunk that computes it, so the results are bit-identical to one thread.
const GEN = 0;
const DONE = 1;
const CLAIM = 2;
const ARGS = 3;
const NCHUNK = 15;
const CHUNK = 16;
const OP = 17;
const TOTAL = 18;
const CTL_INTS = 19;
const SPIN_MS = 1;

/**
 * Worker body (plain JS: runs without a TypeScript loader); worker w uses GEMM workspace w + 1 and attention
 * scratch tmp + (w + 1)·T·T. attnF / attnB mirror attentionForward / attentionBackward in ops.ts for one batch.
 */
const workerSource = `
const { workerData } = require('node:worker_threads');
const { memory, module, ctl: sab, ws, index } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(sab);
const scr = ws + 655360 + 128;
k.set_consts(scr + 64);
const CB = 64;
const nt = (a, lda, b, ldb, c, ldc, M, N, K, acc) => k.gemm(a * 4, lda, 1, b * 4, 1, ldb, c * 4, ldc, M, N, K, acc, ws);
const xn = (a, sai, sak, b, ldb, c, ldc, M, N, K, acc) => k.gemm(a * 4, sai, sak, b * 4, ldb, 1, c * 4, ldc, M, N, K, acc, ws);
function attnF(b, qkv, att, out, T, nh, nhKv, D) {
  const Dq = (nh + 2 * nhKv) * D, E = nh * D, scale = 1 / Math.sqrt(D), grp = nh / nhKv;
  for (let h = 0; h < nh; h++) {
    const kvh = Math.floor(h / grp);
    const q = qkv + b * T * Dq + h * D, kk = qkv + b * T * Dq + E + kvh * D, v = qkv + b * T * Dq + E + nhKv * D + kvh * D;
    const P = att + (b * nh + h) * T * T;
    for (let t0 = 0; t0 < T; t0 += CB) { const t1 = Math.min(T, t0 + CB); nt(q + t0 * Dq, Dq, kk, Dq, P + t0 * T, T, t1 - t0, t1, D, 0); }
    k.softmax_causal(P * 4, T, scale, scr);
    const o = out + b * T * E + h * D;
    for (let t0 = 0; t0 < T; t0 += CB) { const t1 = Math.min(T, t0 + CB); xn(P + t0 * T, T, 1, v, Dq, o + t0 * E, E, t1 - t0, D, t1, 0); }
  }
}
function attnB(b, qkv, att, dout, dqkv, tmp, T, nh, nhKv, D) {
  const Dq = (nh + 2 * nhKv) * D, E = nh * D, scale = 1 / Math.sqrt(D), grp = nh / nhKv;
  for (let h = 0; h < nh; h++) {
    const kvh = Math.floor(h / grp), base = b * T * Dq;
    const q = qkv + base + h * D, kk = qkv + base + E + kvh * D, v = qkv + base + E + nhKv * D + kvh * D;
    const dq = dqkv + base + h * D, dk = dqkv + base + E + kvh * D, dv = dqkv + base + E + nhKv * D + kvh * D;
    const P = att + (b * nh + h) * T * T, dO = dout + b * T * E + h * D;
    for (let t0 = 0; t0 < T; t0 += CB) { const t1 = Math.min(T, t0 + CB); nt(dO + t0 * E, E, v, Dq, tmp + t0 * T, T, t1 - t0, t1, D, 0); }
    k.softmax_causal_bwd(P * 4, tmp * 4, T, scale);
    for (let t0 = 0; t0 < T; t0 += CB) {
      const t1 = Math.min(T, t0 + CB);
      xn(tmp + t0 * T, T, 1, kk, Dq, dq + t0 * Dq, Dq, t1 - t0, D, t1, 0);
      xn(tmp + t0 * T + t0, 1, T, q + t0 * Dq, Dq, dk + t0 * Dq, Dq, t1 - t0, D, T - t0, 1);
      xn(P + t0 * T + t0, 1, T, dO + t0 * E, E, dv + t0 * Dq, Dq, t1 - t0, D, T - t0, 1);
    }
  }
}
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
  const n = ctl[${NCHUNK}], cs = ctl[${CHUNK}], op = ctl[${OP}], total = ctl[${TOTAL}];
  for (;;) {
    const st = Atomics.load(ctl, ${CLAIM});
    if ((st & ~0xffff) !== tag || (st & 0xffff) >= n) break;
    if (Atomics.compareExchange(ctl, ${CLAIM}, st, st + 1) !== st) continue;
    const i0 = (st & 0xffff) * cs, i1 = Math.min(total, i0 + cs);
    if (op === 0) k.gemm(g(0) + 4 * i0 * g(1), g(1), g(2), g(3), g(4), g(5), g(6) + 4 * i0 * g(7), g(7), i1 - i0, g(9), g(10), g(11), ws);
    else if (op === 1) for (let b = i0; b < i1; b++) attnF(b, g(0), g(1), g(2), g(5), g(6), g(7), g(8));
    else for (let b = i0; b < i1; b++) attnB(b, g(0), g(1), g(2), g(3), g(4) + (index + 1) * g(5) * g(5), g(5), g(6), g(7), g(8));
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
        workerData: {
          memory: gemm.memory,
          module,
          ctl: sab,
          ws: workspaceOffset(gemm.memory, w + 1),
          index: w,
        },
      });
      worker.on('error', (e) => {
        this.failure = e;
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  busy = false;
  /** When false the calling thread only waits and the workers do every chunk (tests use it to reach them). */
  callerWorks = true;

  run(args: number[], M: number): void {
    // about three chunks per thread, whole 4-row micro-tiles, at least 16 rows
    const cs = Math.max(16, Math.ceil(M / (3 * this.threads) / 4) * 4);
    this.runJob(0, args, M, cs, (i0, i1) => this.gemm.gemmLocal(args, i0, i1));
  }

  runJob(
    op: number,
    args: number[],
    total: number,
    cs: number,
    local: (i0: number, i1: number) => void,
  ): void {
    const ctl = this.ctl;
    const n = Math.ceil(total / cs);
    this.gen = (this.gen + 1) & 0x3fffffff;
    const tag = (this.gen & 0x7fff) << 16;
    for (let i = 0; i < args.length; i++) ctl[ARGS + i] = args[i];
    ctl[NCHUNK] = n;
    ctl[CHUNK] = cs;
    ctl[OP] = op;
    ctl[TOTAL] = total;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, CLAIM, tag);
    Atomics.store(ctl, GEN, this.gen);
    Atomics.notify(ctl, GEN);
    this.busy = true;
    try {
      for (;;) {
        const st = Atomics.load(ctl, CLAIM);
        if ((st & 0xffff) >= n || !this.callerWorks) break;
        if (Atomics.compareExchange(ctl, CLAIM, st, st + 1) !== st) continue;
        const i0 = (st & 0xffff) * cs;
        local(i0, Math.min(total, i0 + cs));
        Atomics.add(ctl, DONE, 1);
      }
    } finally {
      this.busy = false;
    }
    for (;;) {
      const d = Atomics.load(ctl, DONE);
      if (d >= n) break;
      if (this.failure) throw new Error(`worker thread failed: ${this.failure.message}`);
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
