// The key/value cache: per layer, positions × kv heads × head dim, stored as f16 (llama.cpp's default), f32
// or q8_0 (an 8-bit cache, half of f16's memory) in WebAssembly memories, with batched causal attention over
// it in the wasm kernel (src/kernels/wasm/ops.wat `attend`) or in plain TS (`attendRef`, the reference).
import { GgmlType } from '../format/ggml-types.js';
import { instantiateOps, type OpsExports } from '../kernels/ops.js';
import { F16_TO_F32, fp32ToFp16 } from '../quant/f16.js';
import { dequantizeRow, quantizeRow } from '../quant/index.js';
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

/** A group of consecutive layers sharing one wasm memory: its caches and attention scratch. */
interface Group {
  ex: OpsExports;
  first: number;
  count: number;
  qPtr: number;
  outPtr: number;
  scoresPtr: number;
  kbuf: number;
  vbuf: number;
  rowbuf: number;
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
  readonly rowBytes: number;
  private readonly groups: Group[] = [];
  private readonly layerBytes: number;
  private readonly qFloats: number;
  private readonly stage: Float32Array;
  /**
   * Calls with at most this many new tokens walk the cache position by position (`attend_rows`: each row
   * read once, in order, for all heads); longer ones gather each head's rows first (`attend`), which pays
   * off when many queries share the gathered rows. Tests set it to force either kernel.
   */
  rowsMaxTokens = 4;

  /**
   * @param nBatch most tokens one `attend` call handles; @param nHead query heads (scratch sizing).
   */
  constructor(
    readonly nLayer: number,
    readonly nCtx: number,
    nHeadKv: number,
    headDim: number,
    readonly type: KvType,
    nBatch: number,
    nHead: number,
  ) {
    if (!KV_TYPES.includes(type))
      throw new Error(`KV cache type "${type}" is not one of ${KV_TYPES.join(', ')}`);
    if (type === 'q8_0' && headDim % 32 !== 0)
      throw new Error(`KV cache type q8_0 needs a head dim that is a multiple of 32, got ${headDim}`);
    this.headDim = headDim;
    this.nHeadKv = nHeadKv;
    const kvDim = nHeadKv * headDim;
    this.rowBytes = kvRowBytes(type, kvDim);
    this.layerBytes = 2 * nCtx * this.rowBytes;
    this.qFloats = nBatch * nHead * headDim;
    this.stage = new Float32Array(kvDim);
    const scoreBytes = nHead * (nCtx + 8) * 4;
    const scratch = 1024 + 2 * this.qFloats * 4 + scoreBytes + 2 * nCtx * headDim * 4 + kvDim * 4 + 64;
    const perGroup = Math.floor((MEMORY_LIMIT - scratch) / this.layerBytes);
    if (perGroup < 1) {
      throw new Error(
        `KV cache: one layer needs ${this.layerBytes + scratch} bytes for ${nCtx} positions (type ${type}), ` +
          `over the ${MEMORY_LIMIT}-byte memory limit; use a shorter context or the q8_0 cache`,
      );
    }
    for (let first = 0; first < nLayer; first += perGroup) {
      const count = Math.min(perGroup, nLayer - first);
      const ex = instantiateOps();
      const need = scratch + count * this.layerBytes + 64;
      ex.memory.grow(Math.max(0, Math.ceil((need - ex.memory.buffer.byteLength) / 65536)));
      let p = 1024;
      const qPtr = p;
      p += this.qFloats * 4;
      const outPtr = p;
      p += this.qFloats * 4;
      const scoresPtr = p;
      p += scoreBytes;
      const kbuf = p;
      p += nCtx * headDim * 4;
      const vbuf = p;
      p += nCtx * headDim * 4;
      const rowbuf = p;
      p += kvDim * 4;
      const buf = ex.memory.buffer;
      this.groups.push({
        ex,
        first,
        count,
        qPtr,
        outPtr,
        scoresPtr,
        kbuf,
        vbuf,
        rowbuf,
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
    return { g, k, v: k + this.nCtx * this.rowBytes };
  }

  /** Stores position `pos`'s keys x[kOff…] and values x[vOff…] (kvDim floats each) in `layer`. */
  store(layer: number, pos: number, x: Float32Array, kOff: number, vOff: number): void {
    if (pos < 0 || pos >= this.nCtx)
      throw new Error(`KV cache: position ${pos} outside its ${this.nCtx} positions`);
    const { g, k, v } = this.where(layer);
    const kvDim = this.nHeadKv * this.headDim;
    this.storeRow(g, k + pos * this.rowBytes, x, kOff, kvDim);
    this.storeRow(g, v + pos * this.rowBytes, x, vOff, kvDim);
  }

  /** Writes kvDim floats x[off…] as one cache row at byte `at` of the group's memory. */
  private storeRow(g: Group, at: number, x: Float32Array, off: number, kvDim: number): void {
    if (this.type === 'f32') {
      const f = g.f32;
      const i0 = at >>> 2;
      for (let d = 0; d < kvDim; d++) f[i0 + d] = x[off + d]!;
    } else if (this.type === 'f16') {
      const h = g.u16;
      const i0 = at >>> 1;
      for (let d = 0; d < kvDim; d++) h[i0 + d] = fp32ToFp16(x[off + d]!);
    } else {
      this.stage.set(x.subarray(off, off + kvDim));
      quantizeRow(GgmlType.Q8_0, this.stage, 0, g.u8, at, kvDim);
    }
  }

  /** Positions [0, upto) of one layer's keys or values as f32 (dequantized copies): for the reference path. */
  read(layer: number, which: 'k' | 'v', upto = this.length): Float32Array {
    const { g, k, v } = this.where(layer);
    const kvDim = this.nHeadKv * this.headDim;
    const base = which === 'k' ? k : v;
    const out = new Float32Array(upto * kvDim);
    if (this.type === 'f32') out.set(g.f32.subarray(base >>> 2, (base >>> 2) + upto * kvDim));
    else if (this.type === 'f16') {
      const h = g.u16;
      const i0 = base >>> 1;
      for (let i = 0; i < out.length; i++) out[i] = F16_TO_F32[h[i0 + i]!]!;
    } else {
      for (let p = 0; p < upto; p++)
        dequantizeRow(GgmlType.Q8_0, g.u8, base + p * this.rowBytes, out, p * kvDim, kvDim);
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
    if (n <= this.rowsMaxTokens) {
      g.ex.attend_rows(
        g.qPtr,
        qDim * 4,
        n,
        pos0,
        a.window,
        a.nHead,
        this.nHeadKv,
        hd,
        a.scale,
        a.prescale ? 1 : 0,
        f16,
        f16,
        k,
        v,
        this.rowBytes,
        TYPE_CODE[this.type],
        g.rowbuf,
        g.scoresPtr,
        g.outPtr,
        qDim * 4,
      );
    } else {
      g.ex.attend(
        g.qPtr,
        qDim * 4,
        n,
        pos0,
        a.window,
        a.nHead,
        this.nHeadKv,
        hd,
        a.scale,
        a.prescale ? 1 : 0,
        f16,
        f16,
        k,
        v,
        this.rowBytes,
        TYPE_CODE[this.type],
        g.kbuf,
        g.vbuf,
        g.scoresPtr,
        g.outPtr,
        qDim * 4,
      );
    }
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
