// Per-token ops for the model (rmsnorm, softmax, rope, attention over a KV cache), run by the wasm module ops.wat.
import { rmsnormRef } from './ref.js';
import { wasmBase64 } from './wasm/ops.generated.js';

interface OpsExports {
  memory: WebAssembly.Memory;
  rmsnorm(out: number, x: number, w: number, n: number, eps: number): void;
  softmax(x: number, n: number, scale: number): void;
  rope(x: number, nHead: number, headDim: number, nRot: number, cs: number, neox: number): void;
  attention(
    q: number,
    kc: number,
    vc: number,
    f16: number,
    rowElems: number,
    start: number,
    end: number,
    nHead: number,
    nHeadKv: number,
    headDim: number,
    scale: number,
    scores: number,
    out: number,
  ): void;
  to_f16(src: number, dst: number, n: number): void;
}

let compiled: WebAssembly.Module | undefined;
function instantiate(): OpsExports {
  if (!compiled) {
    const bin = atob(wasmBase64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  }
  return new WebAssembly.Instance(compiled, {}).exports as unknown as OpsExports;
}

/** One instance with a scratch memory for the stateless ops (operands are copied in and out). */
class Scratch {
  readonly ex = instantiate();
  private f32 = new Float32Array(this.ex.memory.buffer);
  /** A Float32Array view of at least `floats` floats at byte 0 of the memory. */
  view(floats: number): Float32Array {
    const need = floats * 4 - this.ex.memory.buffer.byteLength;
    if (need > 0) this.ex.memory.grow(Math.ceil(need / 65536));
    if (this.f32.buffer !== this.ex.memory.buffer) this.f32 = new Float32Array(this.ex.memory.buffer);
    return this.f32;
  }
}
let scratch: Scratch | undefined;
const ops = () => {
  scratch ??= new Scratch();
  return scratch;
};
const pad4 = (n: number) => (n + 3) & ~3;

/**
 * RMS norm of each `n`-float row of x (rows = x.length / n): out = x / sqrt(mean(x²) + eps) · w.
 * `out` may be `x`. Rows whose length is not a multiple of 4 take the TS twin.
 */
export function rmsnorm(out: Float32Array, x: Float32Array, w: Float32Array, n: number, eps: number): void {
  if (n % 4 !== 0) {
    rmsnormRef(out, x, w, n, eps);
    return;
  }
  const s = ops();
  const rows = Math.floor(x.length / n);
  const m = s.view(3 * n);
  m.set(w.subarray(0, n), n);
  for (let r = 0; r < rows; r++) {
    m.set(x.subarray(r * n, (r + 1) * n), 0);
    s.ex.rmsnorm(8 * n, 0, 4 * n, n, eps);
    out.set(m.subarray(2 * n, 3 * n), r * n);
  }
}

/** In-place softmax of x[0..n) after multiplying by `scale` (default 1). */
export function softmax(x: Float32Array, n: number = x.length, scale = 1): void {
  const s = ops();
  const np = pad4(n);
  const m = s.view(np);
  m.set(x.subarray(0, n), 0);
  m.fill(Number.NEGATIVE_INFINITY, n, np);
  s.ex.softmax(0, np, scale);
  x.set(m.subarray(0, n), 0);
}

/** RoPE settings in llama.cpp's terms. */
export interface RopeParams {
  /** Dimensions rotated per head (rope.dimension_count), even, ≤ headDim. */
  nRot: number;
  headDim: number;
  /** freq_base (rope_theta). */
  base: number;
  /** 'neox' rotates (i, i + nRot/2) (phi3); 'norm' rotates (2i, 2i + 1) (llama GGUF). */
  mode: 'neox' | 'norm';
  /** Per-pair frequency divisors (LongRoPE rope_factors_*), nRot/2 of them. */
  freqFactors?: Float32Array;
  /** Scales cos and sin (LongRoPE's attention factor); default 1. */
  mscale?: number;
  /** freq_scale (linear position scaling); default 1. */
  freqScale?: number;
}

/**
 * cos/sin pairs for position `pos` as ggml_rope_cache_init computes them (θ_i = pos·base^(−2i/nRot) by
 * float recurrence, divided by the frequency factor, times freqScale; cos, sin scaled by mscale).
 */
export function ropeCosSin(pos: number, p: RopeParams, out = new Float32Array(p.nRot)): Float32Array {
  const fr = Math.fround;
  const thetaScale = fr(base(p.base, p.nRot));
  const mscale = p.mscale ?? 1;
  const freqScale = p.freqScale ?? 1;
  let theta = fr(pos);
  for (let i = 0; i < p.nRot / 2; i++) {
    const ff = p.freqFactors ? p.freqFactors[i]! : 1;
    const t = fr(fr(freqScale) * fr(theta / ff));
    out[2 * i] = fr(Math.cos(t) * mscale);
    out[2 * i + 1] = fr(Math.sin(t) * mscale);
    theta = fr(theta * thetaScale);
  }
  return out;
}
const base = (b: number, nRot: number) => b ** (-2 / nRot);

/** Rotates each of the nHead heads of x (nHead·headDim floats) in place for position `pos`. */
export function rope(x: Float32Array, nHead: number, pos: number, p: RopeParams): void {
  const s = ops();
  const n = nHead * p.headDim;
  const m = s.view(n + p.nRot);
  m.set(x.subarray(0, n), 0);
  m.set(ropeCosSin(pos, p), n);
  s.ex.rope(0, nHead, p.headDim, p.nRot, 4 * n, p.mode === 'neox' ? 1 : 0);
  x.set(m.subarray(0, n), 0);
}

/** Shape of a KV cache. */
export interface KvCacheShape {
  nLayer: number;
  /** Positions it holds. */
  nCtx: number;
  nHeadKv: number;
  headDim: number;
  /** Element type of the cache: 'f16' (llama.cpp's default, half the memory) or 'f32'. */
  type?: 'f32' | 'f16';
}

/**
 * A preallocated K/V cache in its own wasm memory (sized once: no growth, no per-token allocation),
 * with attention of one query over it.
 */
export class KvCache {
  readonly shape: Required<KvCacheShape>;
  private readonly ex = instantiate();
  private readonly kvDim: number;
  private readonly es: number;
  private readonly kBase: number;
  private readonly vBase: number;
  private readonly qPtr: number;
  private readonly outPtr: number;
  private readonly scoresPtr: number;
  private readonly stagePtr: number;
  private readonly f32: Float32Array;

  constructor(shape: KvCacheShape) {
    this.shape = { type: 'f16', ...shape };
    const { nLayer, nCtx, nHeadKv, headDim, type } = this.shape;
    if (headDim % 4 !== 0) throw new Error(`KvCache: headDim ${headDim} must be a multiple of 4`);
    this.kvDim = nHeadKv * headDim;
    this.es = type === 'f16' ? 2 : 4;
    const layerBytes = nCtx * this.kvDim * this.es;
    const maxHeads = 256 * headDim; // q/out scratch: up to 256 query heads
    const bytes = 2 * nLayer * layerBytes + 3 * maxHeads * 4 + (nCtx + 4) * 4 + 2 * this.kvDim * 4 + 4096;
    if (bytes > 2 ** 32 - 65536) {
      throw new Error(
        `KvCache: ${bytes} bytes exceeds a wasm32 memory (4 GiB); use type 'f16' or a shorter context`,
      );
    }
    const mem = this.ex.memory;
    mem.grow(Math.max(0, Math.ceil((bytes - mem.buffer.byteLength) / 65536)));
    let p = 1024;
    this.qPtr = p;
    p += maxHeads * 4;
    this.outPtr = p;
    p += maxHeads * 4;
    this.scoresPtr = p;
    p += (nCtx + 4) * 4;
    this.stagePtr = p;
    p += 2 * this.kvDim * 4;
    this.kBase = p;
    this.vBase = p + nLayer * layerBytes;
    this.f32 = new Float32Array(mem.buffer);
  }

  /** Stores k and v (nHeadKv·headDim floats each) of position `pos` in `layer`. */
  write(layer: number, pos: number, k: Float32Array, v: Float32Array): void {
    const { nCtx, nLayer } = this.shape;
    if (pos < 0 || pos >= nCtx || layer < 0 || layer >= nLayer) {
      throw new Error(
        `KvCache.write: layer ${layer} pos ${pos} outside ${nLayer} layers × ${nCtx} positions`,
      );
    }
    const off = (layer * nCtx + pos) * this.kvDim * this.es;
    if (this.es === 4) {
      this.f32.set(k.subarray(0, this.kvDim), (this.kBase + off) / 4);
      this.f32.set(v.subarray(0, this.kvDim), (this.vBase + off) / 4);
    } else {
      this.f32.set(k.subarray(0, this.kvDim), this.stagePtr / 4);
      this.ex.to_f16(this.stagePtr, this.kBase + off, this.kvDim);
      this.f32.set(v.subarray(0, this.kvDim), this.stagePtr / 4);
      this.ex.to_f16(this.stagePtr, this.vBase + off, this.kvDim);
    }
  }

  /**
   * out (nHead·headDim) = softmax(scale · q·Kᵀ) · V over positions [start, end) of `layer`, per query head
   * (GQA: head h reads KV head h / (nHead / nHeadKv)). `start` > 0 gives a sliding window.
   */
  attention(
    layer: number,
    q: Float32Array,
    nHead: number,
    end: number,
    out: Float32Array,
    scale: number,
    start = 0,
  ): void {
    const { nCtx, nHeadKv, headDim } = this.shape;
    if (end > nCtx || start < 0 || start >= end)
      throw new Error(`KvCache.attention: bad range [${start}, ${end}) of ${nCtx}`);
    if (nHead % nHeadKv !== 0 || nHead > 256)
      throw new Error(`KvCache.attention: nHead ${nHead} vs nHeadKv ${nHeadKv}`);
    const n = nHead * headDim;
    this.f32.set(q.subarray(0, n), this.qPtr / 4);
    const layerOff = layer * nCtx * this.kvDim * this.es;
    this.ex.attention(
      this.qPtr,
      this.kBase + layerOff,
      this.vBase + layerOff,
      this.es === 2 ? 1 : 0,
      this.kvDim,
      start,
      end,
      nHead,
      nHeadKv,
      headDim,
      scale,
      this.scoresPtr,
      this.outPtr,
    );
    out.set(this.f32.subarray(this.outPtr / 4, this.outPtr / 4 + n), 0);
  }
}
