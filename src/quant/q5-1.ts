// Q5_1: 32 weights per 24-byte block {fp16 d, fp16 m, u32 qh (5th bits), 16 bytes of nibbles}; value = q·d + m.

import * as commonMod from './common.js';
import * as q81Mod from './q8-1.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, fr, QK, readF16, readI8, readU32, toI8, writeF16, writeU32 } = commonMod;
const { Q8_1_BYTES } = q81Mod;

/** Bytes per Q5_1 block. */
export const Q5_1_BYTES = 24;

const FLT_MAX = 3.4028234663852886e38;

/** dequantize_row_q5_1. */
export function dequantizeRowQ5_1(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  checkBlocks('q5_1', n, QK);
  for (let ib = 0, o = srcOffset; ib < n / QK; ib++, o += Q5_1_BYTES) {
    const d = readF16(src, o);
    const m = readF16(src, o + 2);
    const qh = readU32(src, o + 4);
    const y = outOffset + ib * QK;
    for (let j = 0; j < 16; j++) {
      const b = src[o + 8 + j]!;
      const h0 = ((qh >>> j) << 4) & 0x10;
      const h1 = (qh >>> (j + 12)) & 0x10;
      out[y + j] = fr(fr(((b & 0x0f) | h0) * d) + m);
      out[y + j + 16] = fr(fr(((b >> 4) | h1) * d) + m);
    }
  }
}

/** quantize_row_q5_1_ref: d = (max − min)/31, m = min, q = (uint8)((x − min)/d + 0.5). */
export function quantizeRowQ5_1(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('q5_1', n, QK);
  for (let ib = 0, o = dstOffset; ib < n / QK; ib++, o += Q5_1_BYTES) {
    const xb = xOffset + ib * QK;
    let min = FLT_MAX;
    let max = -FLT_MAX;
    for (let j = 0; j < QK; j++) {
      const v = x[xb + j]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const d = fr(fr(max - min) / 31);
    const id = d !== 0 ? fr(1 / d) : 0; // C truth test: NaN counts as true
    writeF16(dst, o, d);
    writeF16(dst, o + 2, min);
    let qh = 0;
    for (let j = 0; j < 16; j++) {
      const q0 = toI8(fr(fr(fr(x[xb + j]! - min) * id) + 0.5)) & 0xff;
      const q1 = toI8(fr(fr(fr(x[xb + 16 + j]! - min) * id) + 0.5)) & 0xff;
      dst[o + 8 + j] = (q0 & 0x0f) | ((q1 & 0x0f) << 4);
      qh |= ((q0 & 0x10) >>> 4) << j;
      qh |= ((q1 & 0x10) >>> 4) << (j + 16);
    }
    writeU32(dst, o + 4, qh >>> 0);
  }
}

/** ggml_vec_dot_q5_1_q8_1_generic (activation row in Q8_1). */
export function vecDotQ5_1Q8_1(
  w: Uint8Array,
  wOffset: number,
  a: Uint8Array,
  aOffset: number,
  n: number,
): number {
  checkBlocks('q5_1', n, QK);
  let sumf = 0;
  for (let ib = 0, ow = wOffset, oa = aOffset; ib < n / QK; ib++, ow += Q5_1_BYTES, oa += Q8_1_BYTES) {
    const qh = readU32(w, ow + 4);
    let sumi = 0;
    for (let j = 0; j < 16; j++) {
      const b = w[ow + 8 + j]!;
      const x0 = (b & 0x0f) | (((qh >>> j) << 4) & 0x10);
      const x1 = (b >> 4) | ((qh >>> (j + 12)) & 0x10);
      sumi += x0 * readI8(a, oa + 4 + j) + x1 * readI8(a, oa + 4 + j + 16);
    }
    const dd = fr(readF16(w, ow) * readF16(a, oa));
    sumf = fr(sumf + fr(fr(dd * sumi) + fr(readF16(w, ow + 2) * readF16(a, oa + 2))));
  }
  return sumf;
}
