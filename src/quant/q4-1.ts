// Q4_1: 32 weights per 20-byte block {fp16 d, fp16 m, 16 bytes of nibbles}; value = q·d + m.

import * as commonMod from './common.js';
import * as q81Mod from './q8-1.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, fr, QK, readF16, readI8, toI8, writeF16 } = commonMod;
const { Q8_1_BYTES } = q81Mod;

/** Bytes per Q4_1 block. */
export const Q4_1_BYTES = 20;

const FLT_MAX = 3.4028234663852886e38;

/** dequantize_row_q4_1. */
export function dequantizeRowQ4_1(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  checkBlocks('q4_1', n, QK);
  for (let ib = 0, o = srcOffset; ib < n / QK; ib++, o += Q4_1_BYTES) {
    const d = readF16(src, o);
    const m = readF16(src, o + 2);
    const y = outOffset + ib * QK;
    for (let j = 0; j < 16; j++) {
      const b = src[o + 4 + j]!;
      out[y + j] = fr(fr((b & 0x0f) * d) + m);
      out[y + j + 16] = fr(fr((b >> 4) * d) + m);
    }
  }
}

/** quantize_row_q4_1_ref: d = (max − min)/15, m = min, q = min(15, (int8)((x − min)/d + 0.5)). */
export function quantizeRowQ4_1(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('q4_1', n, QK);
  for (let ib = 0, o = dstOffset; ib < n / QK; ib++, o += Q4_1_BYTES) {
    const xb = xOffset + ib * QK;
    let min = FLT_MAX;
    let max = -FLT_MAX;
    for (let j = 0; j < QK; j++) {
      const v = x[xb + j]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const d = fr(fr(max - min) / 15);
    const id = d !== 0 ? fr(1 / d) : 0; // C truth test: NaN counts as true
    writeF16(dst, o, d);
    writeF16(dst, o + 2, min);
    for (let j = 0; j < 16; j++) {
      const x0 = fr(fr(x[xb + j]! - min) * id);
      const x1 = fr(fr(x[xb + 16 + j]! - min) * id);
      const q0 = Math.min(15, toI8(fr(x0 + 0.5))) & 0xff;
      const q1 = Math.min(15, toI8(fr(x1 + 0.5))) & 0xff;
      dst[o + 4 + j] = (q0 | (q1 << 4)) & 0xff;
    }
  }
}

/** ggml_vec_dot_q4_1_q8_1_generic (activation row in Q8_1). */
export function vecDotQ4_1Q8_1(
  w: Uint8Array,
  wOffset: number,
  a: Uint8Array,
  aOffset: number,
  n: number,
): number {
  checkBlocks('q4_1', n, QK);
  let sumf = 0;
  for (let ib = 0, ow = wOffset, oa = aOffset; ib < n / QK; ib++, ow += Q4_1_BYTES, oa += Q8_1_BYTES) {
    let sumi = 0;
    for (let j = 0; j < 16; j++) {
      const b = w[ow + 4 + j]!;
      sumi += (b & 0x0f) * readI8(a, oa + 4 + j) + (b >> 4) * readI8(a, oa + 4 + j + 16);
    }
    const dd = fr(readF16(w, ow) * readF16(a, oa));
    sumf = fr(sumf + fr(fr(dd * sumi) + fr(readF16(w, ow + 2) * readF16(a, oa + 2))));
  }
  return sumf;
}
