// Per-token ops for the model (rmsnorm, softmax, rope; batched attention over a KV cache, driven by
// src/model/kv-cache.ts), run by the wasm module ops.wat.
import { rmsnormRef } from './ref.js';
import { wasmBase64 } from './wasm/ops.generated.js';
import { wasmBase64 as sharedBase64 } from './wasm/ops-shared.generated.js';

/** The exports of ops.wat. */
export interface OpsExports {
  memory: WebAssembly.Memory;
  rmsnorm(out: number, x: number, w: number, n: number, eps: number): void;
  softmax(x: number, n: number, scale: number): void;
  silu_mul(gate: number, up: number, out: number, n: number): void;
  rope(x: number, nHead: number, headDim: number, nRot: number, cs: number, neox: number): void;
  /** See ops.wat: causal attention of n tokens over one layer's cache (f32/f16/q8_0 rows). */
  attend(
    q: number,
    qStrideBytes: number,
    n: number,
    pos0: number,
    window: number,
    nHead: number,
    nHeadKv: number,
    headDim: number,
    scale: number,
    prescale: number,
    roundQ: number,
    roundP: number,
    kc: number,
    vc: number,
    rowBytes: number,
    type: number,
    headStrideBytes: number,
    kbuf: number,
    vbuf: number,
    scores: number,
    out: number,
    outStrideBytes: number,
  ): void;
  to_f16(src: number, dst: number, n: number): void;
}

function compileBase64(b64: string): WebAssembly.Module {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new WebAssembly.Module(bytes);
}

let compiled: WebAssembly.Module | undefined;
let compiledShared: WebAssembly.Module | undefined;
/** A fresh instance of ops.wat (its own memory; the module is compiled once). */
export function instantiateOps(): OpsExports {
  if (!compiled) {
    compiled = compileBase64(wasmBase64);
    warmUpAttend(new WebAssembly.Instance(compiled, {}).exports as unknown as OpsExports);
  }
  return new WebAssembly.Instance(compiled, {}).exports as unknown as OpsExports;
}

/**
 * An instance of ops.wat over a given shared memory (`shared: true`, with a maximum): several threads
 * each hold one over the same memory and run kernels on disjoint parts of it (see KvCache).
 */
export function instantiateOpsShared(memory: WebAssembly.Memory): OpsExports {
  if (!compiledShared) {
    compiledShared = compileBase64(sharedBase64);
    const scratch = sharedOpsMemory(65536);
    warmUpAttend(
      new WebAssembly.Instance(compiledShared, { env: { memory: scratch } }).exports as unknown as OpsExports,
    );
  }
  return new WebAssembly.Instance(compiledShared, { env: { memory } }).exports as unknown as OpsExports;
}

/**
 * Runs `attend` on a tiny zeroed cache (every cache type; one token and two) so V8 starts optimizing it in
 * the background now: wasm has no on-stack replacement, so a long first call (a prompt's attention) would
 * otherwise run start to end in the baseline tier.
 */
function warmUpAttend(ex: OpsExports): void {
  const hd = 32;
  for (const [type, rb] of [
    [0, 128],
    [1, 64],
    [2, 34],
  ] as const) {
    for (let i = 0; i < 20; i++) {
      const n = 1 + (i & 1);
      // q at 0, out at 1024, scores at 2048, kbuf 4096, vbuf 8192, cache at 16384 / 24576 (2 heads × 8 rows)
      ex.attend(
        0,
        4 * 2 * hd,
        n,
        4,
        0,
        2,
        2,
        hd,
        0.125,
        1,
        type === 1 ? 1 : 0,
        type === 1 ? 1 : 0,
        16384,
        24576,
        rb,
        type,
        8 * rb,
        4096,
        8192,
        2048,
        1024,
        4 * 2 * hd,
      );
    }
  }
}

/** Runs ops.wat's `attend` with its 22 arguments in order (from the calling thread or a kernel worker). */
export function runAttendKernel(ex: OpsExports, a: ArrayLike<number>): void {
  ex.attend(
    a[0]!,
    a[1]!,
    a[2]!,
    a[3]!,
    a[4]!,
    a[5]!,
    a[6]!,
    a[7]!,
    a[8]!,
    a[9]!,
    a[10]!,
    a[11]!,
    a[12]!,
    a[13]!,
    a[14]!,
    a[15]!,
    a[16]!,
    a[17]!,
    a[18]!,
    a[19]!,
    a[20]!,
    a[21]!,
  );
}

/** Makes a shared memory of `bytes` (rounded up to 64 KiB pages) that does not grow. */
export function sharedOpsMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.ceil(bytes / 65536);
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** One instance with a scratch memory for the stateless ops (operands are copied in and out). */
class Scratch {
  readonly ex = instantiateOps();
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

/** Rows of the fused gate|up layout copied into the ops memory per silu_mul call (bounds its size). */
const SILU_ROWS = 16;

/**
 * out[r, i] = silu(gu[r, i]) · gu[r, nFf + i] for n rows of the fused gate|up layout (gate first), in
 * WebAssembly SIMD (e^x to ≈ 1 ulp; ggml's f32 SiLU is likewise approximate). nFf must be a multiple of 4
 * (the TS twin is src/model/ops-ref.ts siluMulFused).
 */
export function siluMulFused(gu: Float32Array, out: Float32Array, n: number, nFf: number): void {
  if (nFf % 4 !== 0) throw new Error(`siluMulFused: nFf ${nFf} is not a multiple of 4`);
  const s = ops();
  for (let r0 = 0; r0 < n; r0 += SILU_ROWS) {
    const rows = Math.min(SILU_ROWS, n - r0);
    const m = s.view(3 * rows * nFf);
    m.set(gu.subarray(r0 * 2 * nFf, (r0 + rows) * 2 * nFf), 0);
    for (let r = 0; r < rows; r++) {
      const g = 2 * r * nFf * 4;
      s.ex.silu_mul(g, g + 4 * nFf, (2 * rows + r) * nFf * 4, nFf);
    }
    out.set(m.subarray(2 * rows * nFf, 3 * rows * nFf), r0 * nFf);
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
