// Matrix products for training over one flat arena: the WASM SIMD kernels (train-matmul.wat) and their plain-TS twins.
import { wasmBase64 } from '../kernels/wasm/train-matmul.generated.js';

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

interface TrainKernels {
  gemm_nt(
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    acc: number,
  ): void;
  gemm_xn(
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
    acc: number,
  ): void;
}

let compiled: WebAssembly.Module | undefined;
/** The compiled train-matmul module (compiled once per thread). */
export function trainMatmulModule(): WebAssembly.Module {
  if (!compiled) compiled = new WebAssembly.Module(Buffer.from(wasmBase64, 'base64'));
  return compiled;
}

/** Instantiates the kernels over a shared wasm memory. */
export function instantiateKernels(memory: WebAssembly.Memory): TrainKernels {
  const inst = new WebAssembly.Instance(trainMatmulModule(), { env: { memory } });
  return inst.exports as unknown as TrainKernels;
}

/** Creates a shared wasm memory big enough for `floats` float32 elements. */
export function createWasmMemory(floats: number): WebAssembly.Memory {
  const bytes = floats * 4 + 64;
  if (bytes > 4 * 1024 ** 3 - 65536)
    throw new Error(`training arena of ${floats} floats exceeds wasm32's 4 GiB`);
  const pages = Math.ceil(bytes / 65536);
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** Column block for `nt` (rows of B kept hot) and k block for `xn` (rows of B kept in L1). */
const NT_BLOCK_BYTES = 192 * 1024;
const XN_K_BLOCK = 128;

/** Splits a GEMM's rows of C across worker threads; implemented in gemm-threads.ts. */
export interface RowSplitter {
  readonly threads: number;
  /** Runs op over [0, M) split in contiguous row ranges, one per thread, and waits for all. */
  run(op: 0 | 1, args: number[], M: number): void;
  /** Stops the workers. */
  close?(): void;
}

/** WASM SIMD GEMM over a float32 arena living in a shared wasm memory (optionally split over threads). */
export class WasmGemm implements Gemm {
  readonly arena: Float32Array;
  private k: TrainKernels;
  splitter?: RowSplitter;
  /** Below this many multiply-adds a GEMM stays on the calling thread. */
  minParallelWork = 1 << 18;
  constructor(readonly memory: WebAssembly.Memory) {
    this.arena = new Float32Array(memory.buffer);
    this.k = instantiateKernels(memory);
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
    if (this.splitter && M * N * K >= this.minParallelWork && M >= 2 * this.splitter.threads) {
      this.splitter.run(0, [a, lda, b, ldb, c, ldc, M, N, K, acc ? 1 : 0], M);
      return;
    }
    ntBlocked(this.k, a, lda, b, ldb, c, ldc, M, N, K, acc ? 1 : 0);
  }
  /** `nt` on the calling thread only (acc as 0/1). */
  ntLocal(
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    acc: number,
  ) {
    ntBlocked(this.k, a, lda, b, ldb, c, ldc, M, N, K, acc);
  }
  /** `xn` on the calling thread only (acc as 0/1). */
  xnLocal(
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
    acc: number,
  ) {
    xnBlocked(this.k, a, sai, sak, b, ldb, c, ldc, M, N, K, acc);
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
    if (this.splitter && M * N * K >= this.minParallelWork && M >= 8 * this.splitter.threads) {
      this.splitter.run(1, [a, sai, sak, b, ldb, c, ldc, M, N, K, acc ? 1 : 0], M);
      return;
    }
    xnBlocked(this.k, a, sai, sak, b, ldb, c, ldc, M, N, K, acc ? 1 : 0);
  }
}

/** `nt` with columns blocked so a block of B's rows stays in cache while A streams. Offsets in elements. */
export function ntBlocked(
  k: TrainKernels,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  c: number,
  ldc: number,
  M: number,
  N: number,
  K: number,
  acc: number,
): void {
  const nb = Math.max(4, Math.floor(NT_BLOCK_BYTES / (K * 4)) & ~3);
  for (let j = 0; j < N; j += nb) {
    const n = Math.min(nb, N - j);
    k.gemm_nt(a * 4, lda, (b + j * ldb) * 4, ldb, (c + j) * 4, ldc, M, n, K, acc);
  }
}

/** `xn` with k blocked so the touched rows of B stay in L1. Offsets and strides in elements. */
export function xnBlocked(
  k: TrainKernels,
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
  acc: number,
): void {
  if (K === 0) {
    if (!acc) k.gemm_xn(0, 0, 0, 0, 0, c * 4, ldc, M, N, 0, 0);
    return;
  }
  for (let k0 = 0; k0 < K; k0 += XN_K_BLOCK) {
    const kk = Math.min(XN_K_BLOCK, K - k0);
    k.gemm_xn(
      (a + k0 * sak) * 4,
      sai * 4,
      sak * 4,
      (b + k0 * ldb) * 4,
      ldb,
      c * 4,
      ldc,
      M,
      N,
      kk,
      k0 > 0 || acc ? 1 : 0,
    );
  }
}
