// Plain-TypeScript twins of the wasm kernels (straightforward dequantize-and-dot), the reference the kernel tests compare with.
import { GgmlType, ggmlTypeName, rowBytes } from '../format/ggml-types.js';

const fr = Math.fround;

/** fp16 bits ↔ float (ggml's exact conversions, shared with src/quant). */
export { fp16ToFp32 as f16ToF32Ref, fp32ToFp16 as f32ToF16Ref } from '../quant/f16.js';

import { fp16ToFp32 as f16ToF32Ref, fp32ToFp16 as f32ToF16Ref } from '../quant/f16.js';

/** The 6-bit scale and min of sub-block j of a Q4_K/Q5_K super-block (ggml's get_scale_min_k4). */
function kScaleMin(src: Uint8Array, sc: number, j: number): [number, number] {
  if (j < 4) return [src[sc + j]! & 63, src[sc + j + 4]! & 63];
  return [
    (src[sc + j + 4]! & 0xf) | ((src[sc + j - 4]! >> 6) << 4),
    (src[sc + j + 4]! >> 4) | ((src[sc + j]! >> 6) << 4),
  ];
}

function roundEven(v: number): number {
  const f = Math.floor(v);
  const r = v - f;
  return r > 0.5 || (r === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** C's roundf: half away from zero. */
function roundAway(v: number): number {
  return Math.sign(v) * Math.floor(Math.abs(v) + 0.5) || 0;
}

/** ggml's nearest_int: round half to even. */
function nearestInt(v: number): number {
  return roundEven(v);
}

/** Q8_0 activation rounding: 'x86' = llama.cpp's AVX build, 'generic' = ggml's quantize_row_q8_0_ref. */
export type Q8Flavor = 'x86' | 'generic';

/**
 * Activations to Q8_0, returned dequantized (value q·d): per 32, d = f16(amax/127); 'generic'
 * (quantize_row_q8_0_ref): q = roundf(x·(1/d)); 'x86' (the AVX build): q = nearest-even(x·127/amax).
 * `n` a multiple of 32.
 */
export function quantizeQ8_0Ref(x: Float32Array, n: number, flavor: Q8Flavor = 'x86'): Float64Array {
  const out = new Float64Array(n);
  for (let b = 0; b < n; b += 32) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b + j]!));
    const d = fr(amax / 127);
    const dh = f16ToF32Ref(f32ToF16Ref(d));
    if (flavor === 'x86') {
      const id = amax ? fr(127 / amax) : 0;
      for (let j = 0; j < 32; j++)
        out[b + j] = Math.max(-128, Math.min(127, roundEven(fr(x[b + j]! * id)))) * dh;
    } else {
      const id = d ? fr(1 / d) : 0;
      for (let j = 0; j < 32; j++) out[b + j] = roundAway(fr(x[b + j]! * id)) * dh;
    }
  }
  return out;
}

/**
 * ggml quantize_row_q8_K_ref, returned dequantized: per 256, max = the value with the largest |x|,
 * iscale = −127/max, q = min(127, nearest_int(iscale·x)), d = 1/iscale; value q·d.
 */
export function quantizeQ8_KRef(x: Float32Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let b = 0; b < n; b += 256) {
    let amax = 0;
    let max = 0;
    for (let j = 0; j < 256; j++) {
      const ax = Math.abs(x[b + j]!);
      if (ax > amax) {
        amax = ax;
        max = x[b + j]!;
      }
    }
    if (amax === 0) continue;
    const iscale = fr(-127 / max);
    const d = fr(1 / iscale);
    for (let j = 0; j < 256; j++) out[b + j] = Math.min(127, nearestInt(fr(iscale * x[b + j]!))) * d;
  }
  return out;
}

/** Dequantizes one row of `cols` elements of `type` starting at byte `off` of `src`. */
export function dequantizeRowRef(type: GgmlType, src: Uint8Array, off: number, cols: number): Float64Array {
  const y = new Float64Array(cols);
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const h = (o: number) => f16ToF32Ref(dv.getUint16(o, true));
  switch (type) {
    case GgmlType.F32:
      for (let i = 0; i < cols; i++) y[i] = dv.getFloat32(off + 4 * i, true);
      break;
    case GgmlType.F16:
      for (let i = 0; i < cols; i++) y[i] = h(off + 2 * i);
      break;
    case GgmlType.Q4_0:
      for (let b = 0; b < cols / 32; b++) {
        const o = off + b * 18;
        const d = h(o);
        for (let j = 0; j < 16; j++) {
          const q = src[o + 2 + j]!;
          y[b * 32 + j] = ((q & 15) - 8) * d;
          y[b * 32 + j + 16] = ((q >> 4) - 8) * d;
        }
      }
      break;
    case GgmlType.Q8_0:
      for (let b = 0; b < cols / 32; b++) {
        const o = off + b * 34;
        const d = h(o);
        for (let j = 0; j < 32; j++) y[b * 32 + j] = dv.getInt8(o + 2 + j) * d;
      }
      break;
    case GgmlType.Q4_K:
      for (let b = 0; b < cols / 256; b++) {
        const o = off + b * 144;
        const d = h(o);
        const dmin = h(o + 2);
        const sc = o + 4;
        for (let j = 0; j < 8; j++) {
          const [s, m] = kScaleMin(src, sc, j);
          const qo = o + 16 + (j >> 1) * 32;
          for (let l = 0; l < 32; l++) {
            const q = j & 1 ? src[qo + l]! >> 4 : src[qo + l]! & 15;
            y[b * 256 + j * 32 + l] = d * s * q - dmin * m;
          }
        }
      }
      break;
    case GgmlType.Q5_K:
      for (let b = 0; b < cols / 256; b++) {
        const o = off + b * 176;
        const d = h(o);
        const dmin = h(o + 2);
        const sc = o + 4;
        for (let j = 0; j < 8; j++) {
          const [s, m] = kScaleMin(src, sc, j);
          const qo = o + 48 + (j >> 1) * 32;
          for (let l = 0; l < 32; l++) {
            const q = (j & 1 ? src[qo + l]! >> 4 : src[qo + l]! & 15) + ((src[o + 16 + l]! >> j) & 1) * 16;
            y[b * 256 + j * 32 + l] = d * s * q - dmin * m;
          }
        }
      }
      break;
    case GgmlType.Q6_K:
      for (let b = 0; b < cols / 256; b++) {
        const o = off + b * 210;
        const d = h(o + 208);
        for (let half = 0; half < 2; half++) {
          const ql = o + half * 64;
          const qh = o + 128 + half * 32;
          const sc = o + 192 + half * 8;
          const yb = b * 256 + half * 128;
          for (let l = 0; l < 32; l++) {
            const is = l >> 4;
            const hb = src[qh + l]!;
            const q1 = ((src[ql + l]! & 15) | ((hb & 3) << 4)) - 32;
            const q2 = ((src[ql + l + 32]! & 15) | (((hb >> 2) & 3) << 4)) - 32;
            const q3 = ((src[ql + l]! >> 4) | (((hb >> 4) & 3) << 4)) - 32;
            const q4 = ((src[ql + l + 32]! >> 4) | (((hb >> 6) & 3) << 4)) - 32;
            y[yb + l] = d * dv.getInt8(sc + is) * q1;
            y[yb + l + 32] = d * dv.getInt8(sc + is + 2) * q2;
            y[yb + l + 64] = d * dv.getInt8(sc + is + 4) * q3;
            y[yb + l + 96] = d * dv.getInt8(sc + is + 6) * q4;
          }
        }
      }
      break;
    default:
      throw new Error(`reference kernels do not support weight type ${ggmlTypeName(type)}`);
  }
  return y;
}

/** The activation as the kernel for weight `type` sees it (quantized to its vec-dot type, or f16-rounded). */
export function activationRef(
  type: GgmlType,
  x: Float32Array,
  cols: number,
  flavor: Q8Flavor = 'x86',
): Float64Array {
  switch (type) {
    case GgmlType.Q4_0:
    case GgmlType.Q8_0:
      return quantizeQ8_0Ref(x, cols, flavor);
    case GgmlType.Q4_K:
    case GgmlType.Q5_K:
    case GgmlType.Q6_K:
      return quantizeQ8_KRef(x, cols);
    case GgmlType.F16:
      return Float64Array.from(x.subarray(0, cols), (v) => f16ToF32Ref(f32ToF16Ref(v)));
    default:
      return Float64Array.from(x.subarray(0, cols));
  }
}

/**
 * Twin of Backend.matmul: out[i·rows + r] = Σ_c W[r, c]·x'[i, c], with W in GGUF layout (`rows` rows of
 * `cols`) and x' the activation quantized as the kernels do. Sums in double precision.
 */
export function matmulKernelRef(
  type: GgmlType,
  data: Uint8Array,
  rows: number,
  cols: number,
  x: Float32Array,
  n: number,
  out: Float32Array,
  flavor: Q8Flavor = 'x86',
): void {
  const rb = rowBytes(type, cols);
  const acts = Array.from({ length: n }, (_, t) =>
    activationRef(type, x.subarray(t * cols, (t + 1) * cols), cols, flavor),
  );
  for (let r = 0; r < rows; r++) {
    const w = dequantizeRowRef(type, data, r * rb, cols);
    for (let t = 0; t < n; t++) {
      const a = acts[t]!;
      let s = 0;
      for (let c = 0; c < cols; c++) s += w[c]! * a[c]!;
      out[t * rows + r] = s;
    }
  }
}

// ---------------------------------------------------------------- twins of ops.ts

/** rmsnorm twin: out = x / sqrt(mean(x²) + eps) · w per n-float row (Σx² in double, as ggml). */
export function rmsnormRef(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  n: number,
  eps: number,
): void {
  for (let r = 0; r + n <= x.length; r += n) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += fr(x[r + i]! * x[r + i]!);
    const scale = fr(1 / fr(Math.sqrt(fr(fr(ss / n) + eps))));
    for (let i = 0; i < n; i++) out[r + i] = fr(x[r + i]! * scale) * w[i]!;
  }
}

/** softmax twin: x[0..n) ← softmax(scale·x) in double precision. */
export function softmaxRef(x: Float32Array, n: number = x.length, scale = 1): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) max = Math.max(max, scale * x[i]!);
  let sum = 0;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    e[i] = Math.exp(scale * x[i]! - max);
    sum += e[i]!;
  }
  for (let i = 0; i < n; i++) x[i] = e[i]! / sum;
}

/**
 * rope twin in double precision: θ_i = freqScale·pos·base^(−2i/nRot)/factor_i, pairs (i, i + nRot/2) for
 * 'neox', (2i, 2i + 1) for 'norm', cos and sin times mscale; dims ≥ nRot untouched.
 */
export function ropeRef(
  x: Float32Array,
  nHead: number,
  pos: number,
  p: {
    nRot: number;
    headDim: number;
    base: number;
    mode: 'neox' | 'norm';
    freqFactors?: Float32Array;
    mscale?: number;
    freqScale?: number;
  },
): void {
  const half = p.nRot / 2;
  for (let h = 0; h < nHead; h++) {
    const o = h * p.headDim;
    for (let i = 0; i < half; i++) {
      const theta = ((p.freqScale ?? 1) * pos * p.base ** ((-2 * i) / p.nRot)) / (p.freqFactors?.[i] ?? 1);
      const c = Math.cos(theta) * (p.mscale ?? 1);
      const s = Math.sin(theta) * (p.mscale ?? 1);
      const a = p.mode === 'neox' ? o + i : o + 2 * i;
      const b = p.mode === 'neox' ? o + i + half : o + 2 * i + 1;
      const x0 = x[a]!;
      const x1 = x[b]!;
      x[a] = x0 * c - x1 * s;
      x[b] = x0 * s + x1 * c;
    }
  }
}
