// F16 rows (IEEE half, little-endian) and ggml_vec_dot_f16's scalar path.

import * as commonMod from './common.js';
import * as f16Mod from './f16.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, fr, readF16 } = commonMod;
const { fp32ToFp16 } = f16Mod;

/** Decodes `n` little-endian fp16 values (ggml_fp16_to_fp32_row). */
export function dequantizeRowF16(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  for (let i = 0; i < n; i++) out[outOffset + i] = readF16(src, srcOffset + 2 * i);
}

/** Encodes `n` values as fp16, round to nearest even (ggml_fp32_to_fp16_row / ggml_cpu_fp32_to_fp16). */
export function quantizeRowF16(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('f16', n, 1);
  for (let i = 0; i < n; i++) {
    const h = fp32ToFp16(x[xOffset + i]!);
    dst[dstOffset + 2 * i] = h & 0xff;
    dst[dstOffset + 2 * i + 1] = h >>> 8;
  }
}

/** ggml_vec_dot_f16 without SIMD: exact float products of the halves summed in double, rounded to float. */
export function vecDotF16(w: Uint8Array, wOffset: number, a: Uint8Array, aOffset: number, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += fr(readF16(w, wOffset + 2 * i) * readF16(a, aOffset + 2 * i));
  return fr(sum);
}
