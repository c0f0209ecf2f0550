// The key/value cache: per layer, kv heads × positions × head dim (head-major: attention streams each
// head's rows from one contiguous region), stored as f16 (llama.cpp's default), f32 or q8_0 (an 8-bit cache,
// half of f16's memory) in WebAssembly memories, with batched causal attention over it in the wasm kernel
// (src/kernels/wasm/ops.wat `attend`, split by heads over the backend's threads) or in plain TS
// (`attendRef`, the reference).
import { GgmlType } from '../format/ggml-types.js';
import {
  instantiateOps,
  instantiateOpsShared,
  type OpsExports,
  runAttendKernel,
  sharedOpsMemory,
} from '../kernels/ops.js';
import { F16_TO_F32 } from '../quant/f16.js';
import { dequantizeRow, quantizeRow } from '../quant/index.js';
import type { ParallelAttention } from './backend.js';
import { roundToF16, softmax } from './ops-ref.js';

/** Storage precision of cached keys and values ('f16' rounds as llama.cpp's default cache). */
export type KvType = 'f32' | 'f16' | 'q8_0';

const KV_TYPES: readonly KvType[] = ['f32', 'f16', 'q8_0'];
const TYPE_CODE: Record<KvType, number> = { f32: 0, f16: 1, q8_0: 2 };
/** Most bytes one wasm memory is asked to hold (browsers cap wasm32 memories below 4 GiB). */
const MEMORY_LIMIT = 2 ** 31;

/** Bytes one cached row (one position's kvDim values) takes in `type`. */
export function kvRowBytes(type: KvType, kvDim: number): number {
  return type === 'f32' ? 4 * kvDim : type === 'f16' ? 2 * kvDim : (kvDim / 32) * 34;
}

/** Shape of an attention call: how queries map onto the cache. */
export interface AttentionParams {
  nHead: number;
  /** 1/sqrt(head dim) (or the model's own scale). */
  scale: number;
  /** Scale q before the dot products (phi3) instead of scaling the scores (llama). */
  prescale: boolean;
  /** Sliding window in positions (0: none). */
  window: number;
}

/** Where one attention call reads its queries and writes its output (see KvCache.attend). */
export interface AttentionCall {
  layer: number;
  q: Float32Array;
  qOff: number;
  qStride: number;
  n: number;
  pos0: number;
  out: Float32Array;
  outStride: number;
}

/** One thread's attention scratch in a group's memory. */
interface ThreadScratch {
  scores: number;
  kbuf: number;
  vbuf: number;
  /** This thread's `attend` arguments, rewritten for each call. */
  args: number[];
}

/** A group of consecutive layers sharing one wasm memory: its caches and attention scratch. */
interface Group {
  ex: OpsExports;
  /** Id of the memory in `parallel` (shared with the backend's workers), 0 when not shared. */
  memoryId: number;
  first: number;
  count: number;
  qPtr: number;
  outPtr: number;
  /** Scratch per thread (one unless attention is split over threads). */
  scratch: ThreadScratch[];
  /** Every thread's argument array, in thread order (what ParallelAttention.attend takes). */
  partArgs: number[][];
  cacheBase: number;
  /** Views of the memory, made once (it does not grow after construction). */
  f32: Float32Array;
  u16: Uint16Array;
  u8: Uint8Array;
}

/** Preallocated K/V cache for one sequence (sized once: no growth, no per-token allocation). */
export class KvCache {
  /** Number of positions filled. */
  length = 0;
  readonly headDim: number;
  readonly nHeadKv: number;
  /** Bytes of one position's values of one KV head. */
  readonly headRowBytes: number;
  /** Bytes between consecutive KV heads' regions in a layer (nCtx rows). */
  private readonly headBytes: number;
  private readonly groups: Group[] = [];
  private readonly layerBytes: number;
  private readonly qFloats: number;
  /**
   * Calls reading fewer cached values than this (positions × kv width) run on the calling thread alone:
   * below it waking the workers costs about as much as the work. Tests set it to 0 to force the split.
   */
  minSplitValues = 1 << 15;
  /** Attention split over the backend's threads by KV heads (absent: the calling thread only). */
  private readonly parallel?: ParallelAttention;

  /**
   * @param nBatch most tokens one `attend` call handles; @param nHead query heads (scratch sizing);
   * @param parallel the backend's threads: the cache then lives in shared memories its workers map, and
   * attention is split by KV heads over the threads.
   */
  constructor(
    readonly nLayer: number,
    readonly nCtx: number,
    nHeadKv: number,
    headDim: number,
    readonly type: KvType,
    nBatch: number,
    nHead: number,
    parallel?: ParallelAttention,
  ) {
    if (!KV_TYPES.includes(type))
      throw new Error(`KV cache type "${type}" is not one of ${KV_TYPES.join(', ')}`);
    if (type === 'q8_0' && headDim % 32 !== 0)
      throw new Error(`KV cache type q8_0 needs a head dim that is a multiple of 32, got ${headDim}`);
    this.headDim = headDim;
    this.nHeadKv = nHeadKv;
    this.headRowBytes = kvRowBytes(type, headDim);
    this.headBytes = nCtx * this.headRowBytes;
    this.layerBytes = 2 * nHeadKv * this.headBytes;
    this.qFloats = nBatch * nHead * headDim;
    if (parallel && parallel.threads > 1 && nHeadKv > 1 && typeof SharedArrayBuffer !== 'undefined')
      this.parallel = parallel;
    const threads = this.parallel ? Math.min(this.parallel.threads, nHeadKv) : 1;
    const scoreBytes = (nCtx + 8) * 4;
    const perThread = scoreBytes + 2 * nCtx * headDim * 4;
    const scratch = 1024 + 2 * this.qFloats * 4 + threads * perThread;
    const perGroup = Math.floor((MEMORY_LIMIT - scratch) / this.layerBytes);
    if (perGroup < 1) {
      throw new Error(
        `KV cache: one layer needs ${this.layerBytes + scratch} bytes for ${nCtx} positions (type ${type}), ` +
          `over the ${MEMORY_LIMIT}-byte memory limit; use a shorter context or the q8_0 cache`,
      );
    }
    for (let first = 0; first < nLayer; first += perGroup) {
      const count = Math.min(perGroup, nLayer - first);
      const need = scratch + count * this.layerBytes + 64;
      let ex: OpsExports;
      let memoryId = 0;
      if (this.parallel) {
        const memory = sharedOpsMemory(need);
        ex = instantiateOpsShared(memory);
        memoryId = this.parallel.shareMemory(memory);
      } else {
        ex = instantiateOps();
        ex.memory.grow(Math.max(0, Math.ceil((need - ex.memory.buffer.byteLength) / 65536)));
      }
      let p = 1024;
      const qPtr = p;
      p += this.qFloats * 4;
      const outPtr = p;
      p += this.qFloats * 4;
      const perThreadScratch: ThreadScratch[] = [];
      for (let t = 0; t < threads; t++) {
        const scores = p;
        p += scoreBytes;
        const kbuf = p;
        p += nCtx * headDim * 4;
        const vbuf = p;
        p += nCtx * headDim * 4;
        perThreadScratch.push({ scores, kbuf, vbuf, args: new Array<number>(22).fill(0) });
      }
      const buf = ex.memory.buffer;
      this.groups.push({
        ex,
        memoryId,
        first,
        count,
        qPtr,
        outPtr,
        scratch: perThreadScratch,
        partArgs: perThreadScratch.map((t) => t.args),
        cacheBase: (p + 63) & ~63,
        f32: new Float32Array(buf),
        u16: new Uint16Array(buf),
        u8: new Uint8Array(buf),
      });
    }
  }

  /** Bytes held by the cache itself (K and V of every layer). */
  get bytes(): number {
    return this.nLayer * this.layerBytes;
  }

  /** Forgets positions ≥ n (rewinding a conversation keeps the shared prefix). */
  truncate(n: number): void {
    if (n < 0 || n > this.length)
      throw new Error(`cannot truncate KV cache of ${this.length} positions to ${n}`);
    this.length = n;
  }

  private where(layer: number): { g: Group; k: number; v: number } {
    if (!(layer >= 0 && layer < this.nLayer)) throw new Error(`KV cache: layer ${layer} out of range`);
    const g = this.groups[Math.floor(layer / this.groups[0]!.count)]!;
    const k = g.cacheBase + (layer - g.first) * this.layerBytes;
    return { g, k, v: k + this.nHeadKv * this.headBytes };
  }

  /** Stores position `pos`'s keys x[kOff…] and values x[vOff…] (kvDim floats each) in `layer`. */
  store(layer: number, pos: number, x: Float32Array, kOff: number, vOff: number): void {
    if (pos < 0 || pos >= this.nCtx)
      throw new Error(`KV cache: position ${pos} outside its ${this.nCtx} positions`);
    const { g, k, v } = this.where(layer);
    const hd = this.headDim;
    if (this.type === 'f16') {
      // f32 → f16 in wasm (the TS conversion cost ~3 ms a token): keys and values are staged in the
      // query/output scratch, free until this layer's attend
      const kvDim = this.nHeadKv * hd;
      g.f32.set(x.subarray(kOff, kOff + kvDim), g.qPtr >>> 2);
      g.f32.set(x.subarray(vOff, vOff + kvDim), g.outPtr >>> 2);
      for (let h = 0; h < this.nHeadKv; h++) {
        const at = h * this.headBytes + pos * this.headRowBytes;
        g.ex.to_f16(g.qPtr + h * hd * 4, k + at, hd);
        g.ex.to_f16(g.outPtr + h * hd * 4, v + at, hd);
      }
      return;
    }
    for (let h = 0; h < this.nHeadKv; h++) {
      const at = h * this.headBytes + pos * this.headRowBytes;
      this.storeRow(g, k + at, x, kOff + h * hd, hd);
      this.storeRow(g, v + at, x, vOff + h * hd, hd);
    }
  }

  /** Writes n floats x[off…] (one head's values) as one cache row at byte `at` of the group's memory. */
  private storeRow(g: Group, at: number, x: Float32Array, off: number, n: number): void {
    if (this.type === 'f32') {
      const f = g.f32;
      const i0 = at >>> 2;
      for (let d = 0; d < n; d++) f[i0 + d] = x[off + d]!;
    } else {
      quantizeRow(GgmlType.Q8_0, x, off, g.u8, at, n);
    }
  }

  /** Positions [0, upto) of one layer's keys or values as f32 (dequantized copies): for the reference path. */
  read(layer: number, which: 'k' | 'v', upto = this.length): Float32Array {
    const { g, k, v } = this.where(layer);
    const kvDim = this.nHeadKv * this.headDim;
    const base = which === 'k' ? k : v;
    const hd = this.headDim;
    const out = new Float32Array(upto * kvDim);
    for (let h = 0; h < this.nHeadKv; h++) {
      for (let p = 0; p < upto; p++) {
        const at = base + h * this.headBytes + p * this.headRowBytes;
        const o = p * kvDim + h * hd;
        if (this.type === 'f32') out.set(g.f32.subarray(at >>> 2, (at >>> 2) + hd), o);
        else if (this.type === 'f16') {
          const u16 = g.u16;
          const i0 = at >>> 1;
          for (let d = 0; d < hd; d++) out[o + d] = F16_TO_F32[u16[i0 + d]!]!;
        } else dequantizeRow(GgmlType.Q8_0, g.u8, at, out, o, hd);
      }
    }
    return out;
  }

  /**
   * Attention of n new tokens at positions pos0 … pos0+n−1 (already stored): q holds the tokens' roped
   * queries, `qStride` floats apart from `qOff` (nHead·headDim each, not modified); out gets n rows of
   * nHead·headDim, `outStride` floats apart. 'wasm' runs the SIMD kernel, 'ref' the plain-TS reference over
   * dequantized copies of the cache.
   */
  attend(call: AttentionCall, a: AttentionParams, impl: 'wasm' | 'ref' = 'wasm'): void {
    const { layer, q, qOff, qStride, n, pos0, out, outStride } = call;
    if (pos0 + n > this.nCtx) throw new Error(`KV cache: positions up to ${pos0 + n} exceed ${this.nCtx}`);
    // The kernel walks heads four floats at a time; odd head sizes (tiny test models) take the TS path.
    if (impl === 'ref' || this.headDim % 4 !== 0) {
      this.attendRef(call, a);
      return;
    }
    const { g, k, v } = this.where(layer);
    const hd = this.headDim;
    const qDim = a.nHead * hd;
    if (n * qDim > this.qFloats) throw new Error(`KV cache: ${n} tokens exceed the attention scratch`);
    const f32 = g.f32;
    const qi = g.qPtr >> 2;
    for (let i = 0; i < n; i++) {
      const s = qOff + i * qStride;
      f32.set(q.subarray(s, s + qDim), qi + i * qDim);
    }
    const f16 = this.type === 'f16' ? 1 : 0;
    const kvDim = this.nHeadKv * hd;
    const parts = this.parallel && (pos0 + n) * kvDim >= this.minSplitValues ? g.scratch.length : 1;
    const group = a.nHead / this.nHeadKv;
    for (let t = 0; t < parts; t++) {
      const k0 = Math.floor((t * this.nHeadKv) / parts);
      const k1 = Math.floor(((t + 1) * this.nHeadKv) / parts);
      const h0 = k0 * group;
      const sc = g.scratch[t]!;
      // ops.wat `attend`'s arguments, written into this thread's array (no allocation per call)
      const p = sc.args;
      p[0] = g.qPtr + h0 * hd * 4;
      p[1] = qDim * 4;
      p[2] = n;
      p[3] = pos0;
      p[4] = a.window;
      p[5] = (k1 - k0) * group;
      p[6] = k1 - k0;
      p[7] = hd;
      p[8] = a.scale;
      p[9] = a.prescale ? 1 : 0;
      p[10] = f16;
      p[11] = f16;
      p[12] = k + k0 * this.headBytes;
      p[13] = v + k0 * this.headBytes;
      p[14] = this.headRowBytes;
      p[15] = TYPE_CODE[this.type];
      p[16] = this.headBytes;
      p[17] = sc.kbuf;
      p[18] = sc.vbuf;
      p[19] = sc.scores;
      p[20] = g.outPtr + h0 * hd * 4;
      p[21] = qDim * 4;
    }
    if (parts > 1) this.parallel!.attend(g.memoryId, g.ex, g.partArgs);
    else runAttendKernel(g.ex, g.scratch[0]!.args);
    const oi = g.outPtr >> 2;
    for (let i = 0; i < n; i++) out.set(f32.subarray(oi + i * qDim, oi + (i + 1) * qDim), i * outStride);
  }

  private attendRef(call: AttentionCall, a: AttentionParams): void {
    const { layer, q, qOff, qStride, n, pos0, out, outStride } = call;
    const keys = this.read(layer, 'k', pos0 + n);
    const vals = this.read(layer, 'v', pos0 + n);
    attentionRef(
      keys,
      vals,
      this.nHeadKv * this.headDim,
      this.headDim,
      this.type === 'f16',
      q,
      qOff,
      qStride,
      n,
      pos0,
      a,
      out,
      outStride,
    );
  }
}

/**
 * Causal attention in plain TS, following llama.cpp's graph: q scaled (phi3) and rounded to f16 for an f16
 * cache, scores = q·k (scaled for llama), softmax, probabilities rounded to f16 for an f16 cache, out = Σ p·v.
 */
export function attentionRef(
  keys: Float32Array,
  vals: Float32Array,
  kvDim: number,
  hd: number,
  f16: boolean,
  q: Float32Array,
  qOff: number,
  qStride: number,
  n: number,
  pos0: number,
  a: AttentionParams,
  out: Float32Array,
  outStride: number,
): void {
  const nHeadKv = kvDim / hd;
  const group = a.nHead / nHeadKv;
  const qh = new Float32Array(hd);
  const s = new Float32Array(pos0 + n);
  for (let i = 0; i < n; i++) {
    const pos = pos0 + i;
    const lo = a.window > 0 ? Math.max(0, pos - a.window + 1) : 0;
    const span = pos - lo + 1;
    for (let h = 0; h < a.nHead; h++) {
      const qo = qOff + i * qStride + h * hd;
      const kvh = Math.floor(h / group) * hd;
      for (let d = 0; d < hd; d++) {
        const x = a.prescale ? Math.fround(q[qo + d]! * a.scale) : q[qo + d]!;
        qh[d] = f16 ? roundToF16(x) : x;
      }
      for (let j = 0; j < span; j++) {
        const ko = (lo + j) * kvDim + kvh;
        let dot = 0;
        for (let d = 0; d < hd; d++) dot += qh[d]! * keys[ko + d]!;
        s[j] = a.prescale ? dot : Math.fround(dot) * a.scale;
      }
      softmax(s, 0, span);
      const o = i * outStride + h * hd;
      for (let d = 0; d < hd; d++) out[o + d] = 0;
      for (let j = 0; j < span; j++) {
        const p = f16 ? roundToF16(s[j]!) : s[j]!;
        const vo = (lo + j) * kvDim + kvh;
        for (let d = 0; d < hd; d++) out[o + d] += p * vals[vo + d]!;
      }
    }
  }
}
