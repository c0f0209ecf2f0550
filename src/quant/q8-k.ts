// Q8_K: the activation type of the K-quants, 256 values per 292-byte block {float32 d, int8 qs[256],
// int16 bsums[16] (sums of 16 consecutive qs)}; value = qs·d.

import * as commonMod from './common.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, fr, nearestInt, QK_K, readF32, readI8, writeF32, writeI16 } = commonMod;

/** Bytes per Q8_K block. */
export const Q8_K_BYTES = 292;

/** dequantize_row_q8_K. */
export function dequantizeRowQ8_K(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  checkBlocks('q8_K', n, QK_K);
  for (let ib = 0, o = srcOffset; ib < n / QK_K; ib++, o += Q8_K_BYTES) {
    const d = readF32(src, o);
    const y = outOffset + ib * QK_K;
    for (let j = 0; j < QK_K; j++) out[y + j] = fr(d * readI8(src, o + 4 + j));
  }
}

/**
 * quantize_row_q8_K_ref (ggml's CPU quantizer for K-quant activations on every architecture):
 * iscale = −127/max (max = the value of largest magnitude), q = min(127, nearest_int(iscale·x)), d = 1/iscale.
 * An all-zero block gets d = 0, qs = 0 and (unlike ggml, which leaves them unset) bsums = 0.
 */
export function quantizeRowQ8_K(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('q8_K', n, QK_K);
  for (let ib = 0, o = dstOffset; ib < n / QK_K; ib++, o += Q8_K_BYTES) {
    const xb = xOffset + ib * QK_K;
    let max = 0;
    let amax = 0;
    for (let j = 0; j < QK_K; j++) {
      const ax = Math.abs(x[xb + j]!);
      if (ax > amax) {
        amax = ax;
        max = x[xb + j]!;
      }
    }
    if (amax === 0) {
      dst.fill(0, o, o + Q8_K_BYTES);
      continue;
    }
    const iscale = fr(-127 / max);
    for (let j = 0; j < QK_K; j++) dst[o + 4 + j] = Math.min(127, nearestInt(fr(iscale * x[xb + j]!))) & 0xff;
    for (let j = 0; j < 16; j++) {
      let sum = 0;
      for (let ii = 0; ii < 16; ii++) sum += readI8(dst, o + 4 + 16 * j + ii);
      writeI16(dst, o + 260 + 2 * j, sum);
    }
    writeF32(dst, o, fr(1 / iscale));
  }
}
