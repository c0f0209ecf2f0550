// The wasm Backend: every matrix split by rows over the calling thread and N−1 workers, each row share in its own memory.
import { ggmlTypeName, rowBytes } from '../format/ggml-types.js';
import { KERNEL_TYPES, KernelModule, KernelPool, type PooledMatrix } from '../kernels/matvec.js';
import { type OpsExports, runAttendKernel } from '../kernels/ops.js';
import { detectRelaxedSimd } from '../kernels/relaxed.js';
import type { Backend, ParallelAttention, WeightMatrix } from '../model/backend.js';
import type { TensorRef } from '../model/config.js';
import { matmulRef } from '../quant/matmul-ref.js';
import { VEC_DOT_TYPES } from '../quant/vec-dot.js';
import {
  ARG_ID,
  ARG_N,
  CALLER_SLEEPS,
  CMD,
  CMD_ATTEND,
  CMD_MATMUL,
  CMD_MESSAGE,
  DONE,
  ERR_BYTES,
  ERR_LEN,
  putAttendArgs,
  SEQ,
  SLOT_INTS,
  WORKER_SLEEPS,
  type WorkerHandle,
  type WorkerRequest,
  type WorkerSpawner,
} from './protocol.js';
import { publish, waitChange } from './sync.js';

/** Options of createBackend. */
export interface BackendOptions {
  /** Threads computing each matmul, the calling one included (1: no workers). Default: all hardware threads. */
  threads?: number;
  /** Relaxed SIMD kernels: true (error if unavailable), false, or 'auto' (default: use when the engine has it). */
  relaxed?: boolean | 'auto';
  /**
   * How activations are rounded before integer dot products: 'x86' (default) as llama.cpp's AVX build
   * does (the project's reference backend), 'generic' as ggml's reference quantizers.
   */
  activations?: 'x86' | 'generic';
  /**
   * Matrices with fewer weights than this run on the calling thread alone (default 2^20): below it a
   * matmul takes about as long as waking a worker, and a worker descheduled on a busy machine costs more.
   * 0 splits every matrix.
   */
  minSplitWeights?: number;
}

/** Default of BackendOptions.minSplitWeights. */
export const MIN_SPLIT_WEIGHTS = 1 << 20;

/** How long the caller spins for workers before sleeping (ms); a worker's share takes about as long as its own. */
const CALLER_SPIN_MS = 5;
/** A worker silent this long on a request (prepare, buffers) is taken as dead. */
const REQUEST_TIMEOUT_MS = 120_000;
/** A worker not running its loop this long after being started is taken as failed. */
const START_TIMEOUT_MS = 30_000;

interface Share {
  /** Participant index: 0 = calling thread, i ≥ 1 = worker i − 1. */
  who: number;
  row0: number;
  row1: number;
}

interface Prepared extends WeightMatrix {
  readonly id: number;
  readonly local?: PooledMatrix;
  readonly shares: readonly Share[];
  /** Weights of a type without wasm kernels, multiplied by src/quant's matmulRef on the calling thread. */
  readonly fallback?: Uint8Array;
}

/** Splits `rows` into `parts` ranges on multiples of 4 (the kernels' row groups); empty ranges dropped. */
export function splitRows(rows: number, parts: number): Array<[number, number]> {
  const groups = Math.ceil(rows / 4);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < parts; i++) {
    const g0 = Math.floor((i * groups) / parts);
    const g1 = Math.floor(((i + 1) * groups) / parts);
    out.push([Math.min(rows, g0 * 4), Math.min(rows, g1 * 4)]);
  }
  return out;
}

/** A Backend over wasm kernels with workers started by `spawner` (see createBackend for Node). */
export class WasmBackend implements Backend {
  readonly name: string;
  readonly threads: number;
  readonly relaxed: boolean;
  readonly activations: 'x86' | 'generic';
  private readonly pool: KernelPool;
  private readonly workers: WorkerHandle[] = [];
  private readonly ctrl: Int32Array;
  private readonly slots: Int32Array[] = [];
  private readonly slotsF32: Float32Array[] = [];
  private readonly errors: Uint8Array;
  private seq: number[] = [];
  private xCap = 0;
  private outCap = 0;
  private x: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private out: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private nextId = 1;
  private disposed = false;
  /** See BackendOptions.minSplitWeights (read when a matrix is prepared). */
  minSplitWeights = MIN_SPLIT_WEIGHTS;
  /** prepareMatrix keeps only copies of the weights (the loader may reuse its read buffer). */
  readonly copiesWeights = true;
  /**
   * Per worker: two shared staging buffers its rows are copied into at load (reused: no fresh pages each
   * time; two so the worker packs one matrix while this thread reads and packs the next).
   */
  private stages: Array<Array<{ buf: SharedArrayBuffer; seq: number; name: string }>> = [];
  private nextStage: number[] = [];
  /** Attention split by heads over the workers (absent with one thread). */
  readonly parallel?: ParallelAttention;
  private nextMemoryId = 1;

  constructor(
    spawner: WorkerSpawner | undefined,
    threads: number,
    relaxed: boolean | 'auto' = 'auto',
    activations: 'x86' | 'generic' = 'x86',
  ) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new Error(`threads must be a positive integer, got ${threads}`);
    const has = detectRelaxedSimd();
    if (relaxed === true && !has)
      throw new Error('relaxed SIMD requested but this WebAssembly engine lacks it');
    this.relaxed = relaxed === 'auto' ? has : relaxed;
    this.threads = threads;
    this.activations = activations;
    const relaxedOn = this.relaxed;
    this.pool = new KernelPool(() => new KernelModule(relaxedOn, undefined, activations));
    void this.pool.first; // compile and warm the kernels now
    const nw = threads - 1;
    if (nw > 0 && (!spawner || typeof SharedArrayBuffer === 'undefined')) {
      throw new Error(
        'threads > 1 needs SharedArrayBuffer and a worker spawner (browsers: COOP/COEP headers)',
      );
    }
    const ctrlSab = new SharedArrayBuffer(Math.max(1, nw) * SLOT_INTS * 4);
    const errSab = new SharedArrayBuffer(Math.max(1, nw) * ERR_BYTES);
    this.ctrl = new Int32Array(ctrlSab);
    for (let i = 0; i < Math.max(1, nw); i++) {
      this.slots.push(this.ctrl.subarray(i * SLOT_INTS, (i + 1) * SLOT_INTS));
      this.slotsF32.push(new Float32Array(ctrlSab, i * SLOT_INTS * 4, SLOT_INTS));
    }
    this.errors = new Uint8Array(errSab);
    for (let i = 0; i < nw; i++) {
      this.workers.push(
        spawner!.spawn({
          ctrl: ctrlSab,
          errors: errSab,
          slot: i,
          relaxed: this.relaxed,
          flavor: activations,
        }),
      );
      this.seq.push(0);
    }
    // A first round trip per worker: returns once each has loaded and runs its loop.
    const none = { kind: 'buffers', x: new SharedArrayBuffer(4), out: new SharedArrayBuffer(4) } as const;
    for (let i = 0; i < nw; i++) this.post(i, none);
    try {
      for (let i = 0; i < nw; i++) this.waitWorker(i, START_TIMEOUT_MS, 'start-up');
    } catch (e) {
      for (const w of this.workers) w.terminate();
      throw e;
    }
    if (nw > 0) this.parallel = this.makeParallel();
    this.name = `wasm-${this.relaxed ? 'relaxed-simd' : 'simd128'} ×${threads} thread${threads > 1 ? 's' : ''}`;
  }

  /** Worker i's control slot (views made once: the slot is touched for every matmul). */
  private slot(i: number): Int32Array {
    return this.slots[i]!;
  }

  /**
   * A view of `len` bytes of worker w's next staging buffer, once the worker has finished the request that
   * last used it.
   */
  private stageFor(w: number, len: number): Uint8Array {
    this.stages[w] ??= [
      { buf: new SharedArrayBuffer(0), seq: 0, name: '' },
      { buf: new SharedArrayBuffer(0), seq: 0, name: '' },
    ];
    this.nextStage[w] ??= 0;
    const st = this.stages[w]![this.nextStage[w]!]!;
    if (st.seq > 0) this.waitWorker(w, REQUEST_TIMEOUT_MS, `prepare ${st.name}`, st.seq);
    if (st.buf.byteLength < len)
      st.buf = new SharedArrayBuffer(Math.max(len, Math.ceil(st.buf.byteLength * 1.5)));
    return new Uint8Array(st.buf, 0, len);
  }

  /**
   * Waits for worker i's outstanding request, if any: its control slot holds one command at a time (a
   * prepare may still be running in the background).
   */
  private idle(i: number): void {
    if (Atomics.load(this.slot(i), DONE) < this.seq[i]!)
      this.waitWorker(i, REQUEST_TIMEOUT_MS, 'the previous request');
  }

  /** Waits until every worker has packed the matrices it was sent (errors surface here, at load). */
  finishPreparing(): void {
    for (let i = 0; i < this.workers.length; i++) this.waitWorker(i, REQUEST_TIMEOUT_MS, 'prepare');
  }

  /**
   * Waits until worker i's DONE reaches `target` (default: its latest request); throws its error if it
   * left one.
   */
  private waitWorker(i: number, timeoutMs: number, what: string, target = this.seq[i]!): void {
    const c = this.slot(i);
    const t0 = performance.now();
    let d = Atomics.load(c, DONE);
    while (d < target) {
      d = waitChange(c, DONE, d, CALLER_SLEEPS, CALLER_SPIN_MS);
      if (d < target && performance.now() - t0 > timeoutMs) {
        throw new Error(`kernel worker ${i} did not answer ${what} within ${timeoutMs} ms`);
      }
    }
    const len = Atomics.load(c, ERR_LEN);
    if (len > 0) {
      const msg = new TextDecoder().decode(this.errors.slice(i * ERR_BYTES, i * ERR_BYTES + len));
      Atomics.store(c, ERR_LEN, 0);
      throw new Error(`kernel worker ${i}: ${msg}`);
    }
  }

  /** Posts a request to worker i and announces it (does not wait). */
  private post(i: number, req: WorkerRequest, transfer?: Transferable[]): void {
    this.idle(i);
    const c = this.slot(i);
    this.workers[i]!.postMessage(req, transfer);
    Atomics.store(c, CMD, CMD_MESSAGE);
    this.seq[i] = this.seq[i]! + 1;
    publish(c, SEQ, this.seq[i]!, WORKER_SLEEPS);
  }

  /** Grows the shared activation/result buffers to hold x (floats) and out (floats). */
  private ensureShared(xFloats: number, outFloats: number): void {
    if (this.workers.length === 0 || (xFloats <= this.xCap && outFloats <= this.outCap)) return;
    this.xCap = Math.max(xFloats, this.xCap);
    this.outCap = Math.max(outFloats, this.outCap);
    const xs = new SharedArrayBuffer(this.xCap * 4);
    const os = new SharedArrayBuffer(this.outCap * 4);
    this.x = new Float32Array(xs);
    this.out = new Float32Array(os);
    for (let i = 0; i < this.workers.length; i++) this.post(i, { kind: 'buffers', x: xs, out: os });
    for (let i = 0; i < this.workers.length; i++) this.waitWorker(i, REQUEST_TIMEOUT_MS, 'buffers');
  }

  prepareMatrix(t: TensorRef): WeightMatrix {
    if (this.disposed) throw new Error('prepareMatrix after dispose()');
    if (t.dims.length !== 2 && !(t.dims.length > 2 && t.dims.slice(2).every((d) => d === 1))) {
      throw new Error(`prepareMatrix(${t.name}): expected a 2-D tensor, got dims [${t.dims.join(', ')}]`);
    }
    const fallback = !KERNEL_TYPES.includes(t.type);
    if (fallback && VEC_DOT_TYPES[t.type] === undefined) {
      throw new Error(
        `prepareMatrix(${t.name}): weight type ${ggmlTypeName(t.type)} is not supported by the wasm backend (kernels: ${KERNEL_TYPES.map(ggmlTypeName).join(', ')}; slow exact fallback: ${Object.keys(
          VEC_DOT_TYPES,
        )
          .map((k) => ggmlTypeName(Number(k)))
          .join(', ')})`,
      );
    }
    const cols = t.dims[0]!;
    const rows = t.dims[1]!;
    const rb = rowBytes(t.type, cols);
    if (t.data.length < rows * rb) {
      throw new Error(`prepareMatrix(${t.name}): ${t.data.length} bytes of data, expected ${rows * rb}`);
    }
    const id = this.nextId++;
    if (fallback) {
      // No wasm kernel for this type (q4_1, q5_0, q5_1, bf16): exact but plain-TS speed.
      const m: Prepared = {
        name: t.name,
        type: t.type,
        rows,
        cols,
        id,
        shares: [],
        fallback: t.data.slice(0, rows * rb),
      };
      return m;
    }
    const ranges = splitRows(rows, rows * cols < this.minSplitWeights ? 1 : this.threads);
    const shares: Share[] = [];
    // Workers first (their copies run while this thread packs its own share).
    for (let i = 1; i < ranges.length; i++) {
      const [r0, r1] = ranges[i]!;
      if (r1 <= r0) continue;
      const w = i - 1;
      const len = (r1 - r0) * rb;
      const data = this.stageFor(w, len);
      data.set(t.data.subarray(r0 * rb, r1 * rb));
      const req: WorkerRequest = {
        kind: 'prepare',
        id,
        name: t.name,
        type: t.type,
        rowsTotal: rows,
        row0: r0,
        rows: r1 - r0,
        cols,
        data,
      };
      this.post(w, req);
      const st = this.stages[w]![this.nextStage[w]!]!;
      st.seq = this.seq[w]!;
      st.name = t.name;
      this.nextStage[w] = 1 - this.nextStage[w]!;
      shares.push({ who: i, row0: r0, row1: r1 });
    }
    const [l0, l1] = ranges[0]!;
    let local: PooledMatrix | undefined;
    if (l1 > l0) {
      local = this.pool.pack(t.type, l1 - l0, cols, t.data.subarray(l0 * rb, l1 * rb));
      shares.unshift({ who: 0, row0: l0, row1: l1 });
    }
    // Workers finish packing in the background; the next use of this worker (a matmul, the stage it
    // used, finishPreparing) waits for them.
    const m: Prepared = { name: t.name, type: t.type, rows, cols, id, local, shares };
    return m;
  }

  matmul(w: WeightMatrix, x: Float32Array, n: number, out: Float32Array): void {
    const m = w as Prepared;
    if (m.shares === undefined) throw new Error(`matmul(${w.name}): matrix was not prepared by this backend`);
    const { rows, cols } = m;
    if (x.length < n * cols)
      throw new Error(`matmul(${m.name}): x has ${x.length} floats, need ${n}×${cols}`);
    if (out.length < n * rows)
      throw new Error(`matmul(${m.name}): out has ${out.length} floats, need ${n}×${rows}`);
    if (m.fallback) {
      // activations rounded like the wasm kernels (default 'x86': llama.cpp's AVX build, the reference)
      matmulRef({ type: m.type, data: m.fallback, rows, cols }, x, n, out, { flavor: this.activations });
      return;
    }
    const remote = m.shares.length > (m.local ? 1 : 0);
    if (remote) {
      this.ensureShared(n * cols, n * rows);
      this.x.set(x.subarray(0, n * cols));
      for (const s of m.shares) {
        if (s.who === 0) continue;
        this.idle(s.who - 1);
        const c = this.slot(s.who - 1);
        Atomics.store(c, CMD, CMD_MATMUL);
        Atomics.store(c, ARG_ID, m.id);
        Atomics.store(c, ARG_N, n);
        this.seq[s.who - 1] = this.seq[s.who - 1]! + 1;
        publish(c, SEQ, this.seq[s.who - 1]!, WORKER_SLEEPS);
      }
    }
    if (m.local) m.local.km.matmul(m.local.m, x, n, out, rows, m.shares[0]!.row0);
    if (!remote) return;
    for (const s of m.shares) {
      if (s.who === 0) continue;
      this.waitWorker(s.who - 1, Number.POSITIVE_INFINITY, `matmul ${m.name}`);
      if (n === 1) out.set(this.out.subarray(s.row0, s.row1), s.row0);
      else
        for (let t = 0; t < n; t++)
          out.set(this.out.subarray(t * rows + s.row0, t * rows + s.row1), t * rows + s.row0);
    }
  }

  private makeParallel(): ParallelAttention {
    return {
      threads: this.threads,
      shareMemory: (memory) => {
        const id = this.nextMemoryId++;
        for (let i = 0; i < this.workers.length; i++) this.post(i, { kind: 'share', id, memory });
        for (let i = 0; i < this.workers.length; i++) this.waitWorker(i, REQUEST_TIMEOUT_MS, 'share memory');
        return id;
      },
      attend: (memoryId: number, local: OpsExports, parts: readonly (readonly number[])[]) => {
        if (parts.length > this.threads)
          throw new Error(`attention split in ${parts.length} parts over ${this.threads} threads`);
        for (let w = 1; w < parts.length; w++) {
          this.idle(w - 1);
          const c = this.slot(w - 1);
          putAttendArgs(c, this.slotsF32[w - 1]!, memoryId, parts[w]!);
          Atomics.store(c, CMD, CMD_ATTEND);
          this.seq[w - 1] = this.seq[w - 1]! + 1;
          publish(c, SEQ, this.seq[w - 1]!, WORKER_SLEEPS);
        }
        runAttendKernel(local, parts[0]!);
        for (let w = 1; w < parts.length; w++) this.waitWorker(w - 1, Number.POSITIVE_INFINITY, 'attention');
      },
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (let i = 0; i < this.workers.length; i++) {
      try {
        this.post(i, { kind: 'exit' });
      } catch {
        // already gone
      }
      this.workers[i]!.terminate();
    }
  }
}
