// Preallocated key/value cache: per layer, positions × kv heads × head dim.

/** Storage precision of cached keys and values. 'f16' rounds to half precision as llama.cpp's default cache. */
export type KvType = 'f32' | 'f16';

export class KvCache {
  /** keys[layer]: (nCtx, nHeadKv, headDim) */
  readonly keys: Float32Array[];
  /** values[layer]: (nCtx, nHeadKv, headDim) */
  readonly values: Float32Array[];
  /** Number of positions filled. */
  length = 0;

  constructor(
    readonly nLayer: number,
    readonly nCtx: number,
    readonly kvDim: number,
    readonly type: KvType,
  ) {
    this.keys = Array.from({ length: nLayer }, () => new Float32Array(nCtx * kvDim));
    this.values = Array.from({ length: nLayer }, () => new Float32Array(nCtx * kvDim));
  }

  /** Bytes held. */
  get bytes(): number {
    return 2 * this.nLayer * this.nCtx * this.kvDim * 4;
  }

  /** Forgets positions ≥ n (rewinding a conversation keeps the shared prefix). */
  truncate(n: number): void {
    if (n < 0 || n > this.length)
      throw new Error(`cannot truncate KV cache of ${this.length} positions to ${n}`);
    this.length = n;
  }
}
