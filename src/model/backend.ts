// The compute interface the model runs on: prepared weight matrices and (batched) matrix products.
import type { GgmlType } from '../format/ggml-types.js';
import type { OpsExports } from '../kernels/ops.js';
import type { TensorRef } from './config.js';

/** A 2-D weight prepared by a backend (repacked, copied to workers…). rows = dims[1], cols = dims[0]. */
export interface WeightMatrix {
  readonly name: string;
  readonly type: GgmlType;
  readonly rows: number;
  readonly cols: number;
}

/**
 * What the model needs from a compute backend. Calls are synchronous (a threaded backend blocks the
 * calling thread while its workers run: fine in Node and in a browser Web Worker), so `forward` stays a
 * plain function and no promise is created per token.
 */
export interface Backend {
  /** Human-readable description, e.g. "wasm-relaxed-simd ×2 threads". */
  readonly name: string;
  /** Prepares a 2-D tensor for `matmul`. The backend may copy or repack; `t.data` may be freed afterwards. */
  prepareMatrix(t: TensorRef): WeightMatrix;
  /**
   * out[i, r] = Σ_c W[r, c] · x[i, c] for i < n. `x` is n×cols row-major, `out` n×rows row-major.
   * Quantized weights see `x` quantized to the weight type's vec-dot type first (as llama.cpp does).
   */
  matmul(w: WeightMatrix, x: Float32Array, n: number, out: Float32Array): void;
  /**
   * true when prepareMatrix keeps only copies of `t.data` (repacked, sent to workers…): the caller may then
   * reuse the buffer for the next tensor.
   */
  readonly copiesWeights?: boolean;
  /**
   * Waits until every prepareMatrix has finished (a backend may prepare in the background; errors then
   * surface here). Called once after the last matrix.
   */
  finishPreparing?(): void;
  /** Present when the backend can split attention over its threads (see ParallelAttention). */
  readonly parallel?: ParallelAttention;
  /** Frees workers and memories. */
  dispose(): void;
}

/**
 * Attention split by heads over a backend's threads: the KV cache lives in shared memories that every
 * worker maps, each thread runs the kernel on its own heads (disjoint q, output and scratch regions).
 */
export interface ParallelAttention {
  /** Threads taking part, the calling one included. */
  readonly threads: number;
  /** Maps a shared memory (`shared: true`) into every worker; returns the id `attend` takes. */
  shareMemory(memory: WebAssembly.Memory): number;
  /**
   * Runs ops.wat `attend` with the arguments parts[0] on the calling thread (instance `local`) and parts[i]
   * on worker i; returns when all are done.
   */
  attend(memoryId: number, local: OpsExports, parts: readonly (readonly number[])[]): void;
}
