// F32 rows: little-endian float32 "blocks" of one element, and ggml_vec_dot_f32's scalar path.

import * as commonMod from './common.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, fr, readF32, writeF32 } = commonMod;

/** Copies `n` little-endian float32 values out of `src`. */
export function dequantizeRowF32(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  const so = src.byteOffset + srcOffset;
  if ((so & 3) === 0) {
    out.set(new Float32Array(src.buffer, so, n), outOffset);
    return;
  }
  for (let i = 0; i < n; i++) out[outOffset + i] = readF32(src, srcOffset + 4 * i);
}

/** Stores `n` values as little-endian float32. */
export function quantizeRowF32(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('f32', n, 1);
  for (let i = 0; i < n; i++) writeF32(dst, dstOffset + 4 * i, x[xOffset + i]!);
}

/** ggml_vec_dot_f32 without SIMD: float products summed in double, result rounded to float. */
export function vecDotF32(w: Uint8Array, wOffset: number, a: Uint8Array, aOffset: number, n: number): number {
  let sum = 0;
  const wo = w.byteOffset + wOffset;
  const ao = a.byteOffset + aOffset;
  if ((wo & 3) === 0 && (ao & 3) === 0) {
    // aligned: read through float32 views (two small objects per call, none per element)
    const wf = new Float32Array(w.buffer, wo, n);
    const af = new Float32Array(a.buffer, ao, n);
    for (let i = 0; i < n; i++) sum += fr(wf[i]! * af[i]!);
    return fr(sum);
  }
  for (let i = 0; i < n; i++) sum += fr(readF32(w, wOffset + 4 * i) * readF32(a, aOffset + 4 * i));
  return fr(sum);
}
