// Shared pieces of the block codecs: function types, byte readers/writers, ggml's rounding helpers.

import * as f16Mod from './f16.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { F16_TO_F32, f32Bits, f32FromBits, fp32ToFp16 } = f16Mod;

/** Elements per block of the 32-element formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1). */
export const QK = 32;
/** Elements per super-block of the K-quants (Q4_K, Q5_K, Q6_K, Q8_K). */
export const QK_K = 256;

/**
 * Decodes `n` elements (a whole number of blocks) starting at byte `srcOffset` of `src` into
 * `out[outOffset .. outOffset + n)`.
 */
export type DequantizeRowFn = (
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
) => void;

/**
 * Encodes `x[xOffset .. xOffset + n)` (`n` a whole number of blocks) into `dst` starting at byte
 * `dstOffset`; writes exactly rowBytes(type, n) bytes.
 */
export type QuantizeRowFn = (
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
) => void;

/**
 * Dot product of `n` elements: a weight row (`w` from byte `wOffset`, in the weight's type) with an
 * activation row already encoded in that type's vec_dot type (`a` from byte `aOffset`).
 */
export type VecDotFn = (w: Uint8Array, wOffset: number, a: Uint8Array, aOffset: number, n: number) => number;

/** Float32 rounding, the cast C applies after every float operation. */
export const fr = Math.fround;

/** Reads a little-endian fp16 and returns its float32 value. */
export function readF16(b: Uint8Array, o: number): number {
  return F16_TO_F32[b[o]! | (b[o + 1]! << 8)]!;
}

/** Writes `f` as a little-endian fp16 (GGML_FP32_TO_FP16). */
export function writeF16(b: Uint8Array, o: number, f: number): void {
  const h = fp32ToFp16(f);
  b[o] = h & 0xff;
  b[o + 1] = h >>> 8;
}

/** Reads a signed byte. */
export function readI8(b: Uint8Array, o: number): number {
  return (b[o]! << 24) >> 24;
}

/** Reads a little-endian int16. */
export function readI16(b: Uint8Array, o: number): number {
  return ((b[o]! | (b[o + 1]! << 8)) << 16) >> 16;
}

/** Writes a little-endian int16 (wrapping like a C cast). */
export function writeI16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}

/** Reads a little-endian uint32. */
export function readU32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/** Writes a little-endian uint32. */
export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/** Reads a little-endian float32. */
export function readF32(b: Uint8Array, o: number): number {
  return f32FromBits(readU32(b, o));
}

/** Writes `f` as a little-endian float32. */
export function writeF32(b: Uint8Array, o: number, f: number): void {
  writeU32(b, o, f32Bits(f));
}

/**
 * ggml's nearest_int: adds 1.5·2^23 in float32 and reads the mantissa, i.e. rounds half to even.
 * Exact rounding for |f| <= 4194303 (ggml asserts that in debug builds); beyond it, the same garbage as
 * ggml's release build.
 */
export function nearestInt(f: number): number {
  const v = fr(f + 12582912);
  if (v >= 8388608 && v < 16777216) return v - 12582912;
  // out of range: what a release build (assert compiled out) computes from the float's bits
  return (f32Bits(v) & 0x007fffff) - 0x00400000;
}

/**
 * x86 `cvtps2dq` under the default rounding mode (what `_mm256_round_ps(.., _MM_ROUND_NEAREST)` then
 * `_mm256_cvtps_epi32` give): round half to even; NaN and values outside int32 give INT32_MIN.
 */
export function cvtpsEpi32(f: number): number {
  if (!(Math.abs(f) < 2147483648)) return -2147483648;
  let r = Math.round(f);
  if (r - f === 0.5 && r % 2 !== 0) r -= 1;
  return r;
}

/** C roundf: nearest integer, halves away from zero. */
export function roundf(f: number): number {
  return f < 0 ? -Math.floor(-f + 0.5) : Math.floor(f + 0.5);
}

/** C conversion of a float to int8_t on x86 (truncate to int32, keep the low byte; NaN gives 0). */
export function toI8(f: number): number {
  const t = Math.trunc(f);
  if (!(Math.abs(t) < 2147483648)) return 0; // cvttss2si gives INT32_MIN, whose low byte is 0
  return (t << 24) >> 24;
}

/** Throws unless `n` is a non-negative multiple of `blockSize`. */
export function checkBlocks(typeName: string, n: number, blockSize: number): void {
  if (!Number.isInteger(n) || n < 0 || n % blockSize !== 0) {
    throw new Error(`${typeName}: row of ${n} elements is not a multiple of the block size ${blockSize}`);
  }
}
