// Scalar fp16/bf16 <-> fp32 conversions, bit-exact with ggml (ggml-impl.h), plus a 65536-entry fp16 table.

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** IEEE bits of `f` rounded to float32. */
export function f32Bits(f: number): number {
  scratchF32[0] = f;
  return scratchU32[0]!;
}

/** float32 whose IEEE bits are `w` (read back as a JS number). */
export function f32FromBits(w: number): number {
  scratchU32[0] = w >>> 0;
  return scratchF32[0]!;
}

const fr = Math.fround;
const SCALE_TO_INF = 2 ** 112;
const SCALE_TO_ZERO = 2 ** -110;

/**
 * float32 -> fp16 bits, round-to-nearest-even, exactly as ggml_compute_fp32_to_fp16 (the same result as
 * x86 F16C `_cvtss_sh(x, 0)` for every non-NaN input; NaN becomes sign|0x7E00 as in ggml's software path).
 * The argument is first rounded to float32.
 */
export function fp32ToFp16(f: number): number {
  const w = f32Bits(f);
  let base = fr(fr(Math.abs(f32FromBits(w)) * SCALE_TO_INF) * SCALE_TO_ZERO);
  const shl1 = (w << 1) >>> 0;
  const sign = (w & 0x80000000) >>> 0;
  let bias = (shl1 & 0xff000000) >>> 0;
  if (bias < 0x71000000) bias = 0x71000000;
  base = fr(f32FromBits((bias >>> 1) + 0x07800000) + base);
  const bits = f32Bits(base);
  const nonsign = ((bits >>> 13) & 0x7c00) + (bits & 0xfff);
  return (sign >>> 16) | (shl1 > 0xff000000 ? 0x7e00 : nonsign);
}

/** fp16 bits -> float32 bits (exact; NaNs keep their payload with the quiet bit set, as x86 does). */
function fp16ToFp32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return (sign | 0x7f800000 | (m << 13) | (m ? 0x400000 : 0)) >>> 0;
  if (e !== 0) return (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
  if (m === 0) return sign >>> 0;
  // subnormal: value m * 2^-24, exactly representable as a normal float32
  return (f32Bits(m * 2 ** -24) | sign) >>> 0;
}

/** fp16 bits -> float32 for all 65536 patterns (index = the u16 as stored little-endian in GGUF). */
export const F16_TO_F32: Float32Array = (() => {
  const t = new Float32Array(65536);
  const u = new Uint32Array(t.buffer);
  for (let h = 0; h < 65536; h++) u[h] = fp16ToFp32Bits(h);
  return t;
})();

/** fp16 bits -> float32 value (exact, table lookup). */
export function fp16ToFp32(h: number): number {
  return F16_TO_F32[h & 0xffff]!;
}

/**
 * float32 -> bf16 bits as ggml_compute_fp32_to_bf16: round to nearest even, NaN forced quiet
 * (`(bits >> 16) | 64`), subnormals kept.
 */
export function fp32ToBf16(f: number): number {
  const u = f32Bits(f);
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) | 64) & 0xffff;
  return Math.floor((u + 0x7fff + ((u >>> 16) & 1)) / 65536) & 0xffff;
}

/** bf16 bits -> float32 value (exact). */
export function bf16ToFp32(h: number): number {
  return f32FromBits((h & 0xffff) << 16);
}
