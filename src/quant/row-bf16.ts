// BF16 rows (upper half of a float32, little-endian) and ggml_vec_dot_bf16's scalar path.

import * as commonMod from './common.js';
import * as f16Mod from './f16.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, fr } = commonMod;
const { bf16ToFp32, fp32ToBf16 } = f16Mod;

function readBf16(b: Uint8Array, o: number): number {
  return bf16ToFp32(b[o]! | (b[o + 1]! << 8));
}

/** Decodes `n` little-endian bf16 values (ggml_bf16_to_fp32_row). */
export function dequantizeRowBf16(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  for (let i = 0; i < n; i++) out[outOffset + i] = readBf16(src, srcOffset + 2 * i);
}

/** Encodes `n` values as bf16 (ggml_compute_fp32_to_bf16: round to nearest even, quiet NaN). */
export function quantizeRowBf16(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('bf16', n, 1);
  for (let i = 0; i < n; i++) {
    const h = fp32ToBf16(x[xOffset + i]!);
    dst[dstOffset + 2 * i] = h & 0xff;
    dst[dstOffset + 2 * i + 1] = h >>> 8;
  }
}

/** ggml_vec_dot_bf16 without SIMD: float products summed in double, rounded to float. */
export function vecDotBf16(
  w: Uint8Array,
  wOffset: number,
  a: Uint8Array,
  aOffset: number,
  n: number,
): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += fr(readBf16(w, wOffset + 2 * i) * readBf16(a, aOffset + 2 * i));
  return fr(sum);
}
