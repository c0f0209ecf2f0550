// Matrix products for training over one flat arena: the packed WASM SIMD GEMM (train-kernels.wat) and plain-TS twins.
import { detectRelaxedSimd } from '../kernels/relaxed.js';
import { wasmBase64 as plainBase64 } from '../kernels/wasm/train-kernels.generated.js';
import { wasmBase64 as relaxedBase64 } from '../kernels/wasm/train-kernels-relaxed.generated.js';

/** A flat float array that holds every operand; offsets and strides are in elements. */
export type Arr = Float32Array | Float64Array;

/**
 * Row-major matrix products over one arena.
 * - `nt`: C[M,N] (+)= A[M,K]·B[N,K]ᵀ (forward of a linear layer; lda/ldb/ldc are row strides).
 * - `xn`: C[M,N] (+)= op(A)·B[K,N] where op(A)(i,k) = A[a + i·sai + k·sak]: (sai = lda, sak = 1) is A·B,
 *   (sai = 1, sak = lda) is Aᵀ·B.
 */
export interface Gemm {
  readonly arena: Arr;
  nt(
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    acc: boolean,
  ): void;
  xn(
    a: number,
    sai: number,
    sak: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    acc: boolean,
  ): void;
}

/** Plain-TS reference of `Gemm.nt` (works in float32 or float64 arenas). */
export function gemmNtRef(
  x: Arr,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  c: number,
  ldc: number,
  M: number,
  N: number,
  K: number,
  acc: boolean,
): void {
  for (let i = 0; i < M; i++) {
    const ai = a + i * lda;
    for (let j = 0; j < N; j++) {
      const bj = b + j * ldb;
      let s = 0;
      for (let k = 0; k < K; k++) s += x[ai + k] * x[bj + k];
      const ci = c + i * ldc + j;
      x[ci] = acc ? x[ci] + s : s;
    }
  }
}

/** Plain-TS reference of `Gemm.xn`. */
export function gemmXnRef(
  x: Arr,
  a: number,
  sai: number,
  sak: number,
  b: number,
  ldb: number,
  c: number,
  ldc: number,
  M: number,
  N: number,
  K: number,
  acc: boolean,
): void {
  for (let i = 0; i < M; i++) {
    const ci = c + i * ldc;
    if (!acc) for (let j = 0; j < N; j++) x[ci + j] = 0;
    for (let k = 0; k < K; k++) {
      const av = x[a + i * sai + k * sak];
      const bk = b + k * ldb;
      for (let j = 0; j < N; j++) x[ci + j] += av * x[bk + j];
    }
  }
}

/** The reference GEMM over any arena (float64 arenas give precise gradient checks). */
export class RefGemm implements Gemm {
  constructor(readonly arena: Arr) {}
  nt(
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    acc: boolean,
  ) {
    gemmNtRef(this.arena, a, lda, b, ldb, c, ldc, M, N, K, acc);
  }
  xn(
    a: number,
    sai: number,
    sak: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    acc: boolean,
  ) {
    gemmXnRef(this.arena, a, sai, sak, b, ldb, c, ldc, M, N, K, acc);
  }
}

/** Exports of train-kernels.wat (byte offsets; strides and sizes in elements). */
export interface TrainKernels {
  ce_row(p: number, V: number, tgt: number, scale: number, grad: number, out: number): void;
  softmax_causal(P: number, T: number, s: number, tmp: number): void;
  softmax_causal_bwd(P: number, D: number, T: number, s: number): void;
  silu_mul(gu: number, h: number, n: number, F: number): void;
  silu_mul_bwd(gu: number, dh: number, dgu: number, n: number, F: number): void;
  add_to(dst: number, src: number, n: number): void;
  rmsnorm(x: number, w: number, y: number, rs: number, n: number, d: number, eps: number): void;
  rmsnorm_bwd(
    x: number,
    w: number,
    rs: number,
    dy: number,
    dx: number,
    dw: number,
    n: number,
    d: number,
  ): void;
  adamw(
    p: number,
    g: number,
    m: number,
    v: number,
    mask: number,
    n: number,
    lr: number,
    b1: number,
    b2: number,
    c1: number,
    c2: number,
    eps: number,
    wd: number,
  ): void;
  sumsq(g: number, n: number): number;
  rope(
    x: number,
    ld: number,
    nRows: number,
    T: number,
    nh: number,
    D: number,
    cos: number,
    sin: number,
    sign: number,
  ): void;
  scale(x: number, n: number, s: number): void;
  set_consts(p: number): void;
  gemm(
    a: number,
    sai: number,
    sak: number,
    b: number,
    sbk: number,
    sbj: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    acc: number,
    ws: number,
  ): void;
}

/**
 * Plain-TS twin of the WASM `gemm`: C[M,N] (+)= op(A)·op(B) with op(A)(i,k) = x[a + i·sai + k·sak] and
 * op(B)(k,j) = x[b + k·sbk + j·sbj] (offsets and strides in elements).
 */
export function gemmRef(
  x: Arr,
  a: number,
  sai: number,
  sak: number,
  b: number,
  sbk: number,
  sbj: number,
  c: number,
  ldc: number,
  M: number,
  N: number,
  K: number,
  acc: boolean,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += x[a + i * sai + k * sak] * x[b + k * sbk + j * sbj];
      const ci = c + i * ldc + j;
      x[ci] = acc ? x[ci] + s : s;
    }
  }
}

/** Workspace per thread for the packed panels (bytes; train-kernels.wat uses 640 KiB + a 128-byte tile). */
export const WS_BYTES = 11 * 65536;
/** Threads (the caller plus workers) that have a workspace in every training memory. */
export const MAX_THREADS = 16;

let compiled: WebAssembly.Module | undefined;
let compiledRelaxed: boolean | undefined;

/**
 * Whether the training kernels use relaxed SIMD (f32x4.relaxed_madd: one FMA instead of mul + add): when the
 * engine has it, unless POCKETLM_TRAIN_SIMD=plain. Fixed for the life of the process (exact resume needs the
 * same kernel throughout).
 */
export function trainKernelsRelaxed(): boolean {
  if (compiledRelaxed === undefined) {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    compiledRelaxed = env?.POCKETLM_TRAIN_SIMD !== 'plain' && detectRelaxedSimd();
  }
  return compiledRelaxed;
}

/** The compiled train-kernels module (relaxed twin when available; compiled once per process). */
export function trainKernelsModule(): WebAssembly.Module {
  if (!compiled)
    compiled = new WebAssembly.Module(
      Buffer.from(trainKernelsRelaxed() ? relaxedBase64 : plainBase64, 'base64'),
    );
  return compiled;
}

const byBuffer = new WeakMap<ArrayBufferLike, TrainKernels>();

/** Instantiates the kernels over a shared wasm memory (and remembers them for kernelsFor). */
export function instantiateKernels(memory: WebAssembly.Memory): TrainKernels {
  const inst = new WebAssembly.Instance(trainKernelsModule(), { env: { memory } });
  const k = inst.exports as unknown as TrainKernels;
  if (!byBuffer.has(memory.buffer)) byBuffer.set(memory.buffer, k);
  return k;
}

/**
 * The calling thread's kernels over the wasm memory that `x` views, when `x` is a float32 view of one made here
 * with a 16-byte aligned start and a length that is a multiple of 4 (what the fused WASM loops need).
 */
export function kernelsFor(x: Arr): TrainKernels | undefined {
  if (!(x instanceof Float32Array) || x.byteOffset % 16 !== 0 || x.length % 4 !== 0) return undefined;
  return byBuffer.get(x.buffer);
}

/**
 * Creates a shared wasm memory for `floats` float32 elements, followed by the GEMM workspaces of MAX_THREADS
 * threads (pages never touched cost nothing).
 */
export function createWasmMemory(floats: number): WebAssembly.Memory {
  const pages = Math.ceil((floats * 4 + 64) / 65536) + (MAX_THREADS * WS_BYTES) / 65536;
  if (pages * 65536 > 4 * 1024 ** 3 - 65536)
    throw new Error(`training arena of ${floats} floats exceeds wasm32's 4 GiB`);
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** Byte offset of thread `t`'s GEMM workspace in a memory made by createWasmMemory. */
export function workspaceOffset(memory: WebAssembly.Memory, t: number): number {
  return memory.buffer.byteLength - (MAX_THREADS - t) * WS_BYTES;
}

/** Splits work across worker threads; implemented in gemm-threads.ts. */
export interface RowSplitter {
  readonly threads: number;
  /** True while a job runs (the calling thread's share must not split again). */
  readonly busy: boolean;
  /** Runs `gemm(args)` (the 12 arguments before ws, byte offsets) over [0, M) split in row chunks; waits. */
  run(args: number[], M: number): void;
  /**
   * Runs job `op` (0: gemm; 1: attention forward, 2: attention backward, over batches) on [0, total) in chunks of
   * `chunk`, claimed by the workers and the calling thread (which runs `local(i0, i1)` for its chunks); waits.
   */
  runJob(
    op: number,
    args: number[],
    total: number,
    chunk: number,
    local: (i0: number, i1: number) => void,
  ): void;
  /** Stops the workers. */
  close?(): void;
}

/** WASM SIMD GEMM over a float32 arena living in a shared wasm memory (optionally split over threads). */
export class WasmGemm implements Gemm {
  readonly arena: Float32Array;
  /** The kernel exports (GEMM and the fused training ops) for the calling thread. */
  readonly k: TrainKernels;
  /** Byte offset of the calling thread's workspace. */
  readonly ws: number;
  /** Byte offset of 64 bytes of scratch (after the GEMM workspace's tile) for the fused ops; exp's constants follow. */
  readonly scratch: number;
  splitter?: RowSplitter;
  /** Below this many multiply-adds a GEMM stays on the calling thread. */
  minParallelWork = 1 << 18;
  constructor(readonly memory: WebAssembly.Memory) {
    if (memory.buffer.byteLength < MAX_THREADS * WS_BYTES)
      throw new Error('WasmGemm: memory has no GEMM workspace (create it with createWasmMemory)');
    this.arena = new Float32Array(memory.buffer);
    this.k = instantiateKernels(memory);
    this.ws = workspaceOffset(memory, 0);
    this.scratch = this.ws + 655360 + 128;
    this.k.set_consts(this.scratch + 64);
  }
  /** C (+)= op(A)·op(B) with general element strides (see gemmRef). */
  gemm(
    a: number,
    sai: number,
    sak: number,
    b: number,
    sbk: number,
    sbj: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    acc: boolean,
  ): void {
    const args = [a * 4, sai, sak, b * 4, sbk, sbj, c * 4, ldc, M, N, K, acc ? 1 : 0];
    if (
      this.splitter &&
      !this.splitter.busy &&
      M * N * K >= this.minParallelWork &&
      M >= 8 * this.splitter.threads
    ) {
      this.splitter.run(args, M);
      return;
    }
    this.k.gemm(a * 4, sai, sak, b * 4, sbk, sbj, c * 4, ldc, M, N, K, acc ? 1 : 0, this.ws);
  }
  /** `gemm` on the calling thread only (byte offsets, as the splitter passes them). */
  gemmLocal(args: number[], i0: number, i1: number): void {
    const [a, sai, sak, b, sbk, sbj, c, ldc, , N, K, acc] = args;
    this.k.gemm(a + 4 * i0 * sai, sai, sak, b, sbk, sbj, c + 4 * i0 * ldc, ldc, i1 - i0, N, K, acc, this.ws);
  }
  nt(
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    acc: boolean,
  ) {
    this.gemm(a, lda, 1, b, 1, ldb, c, ldc, M, N, K, acc);
  }
  xn(
    a: number,
    sai: number,
    sak: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    acc: boolean,
  ) {
    this.gemm(a, sai, sak, b, ldb, 1, c, ldc, M, N, K, acc);
  }
}
