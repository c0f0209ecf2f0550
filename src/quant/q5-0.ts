// Q5_0: 32 weights per 22-byte block {fp16 d, u32 qh (5th bits), 16 bytes of nibbles}; value = (q − 16)·d.

import * as commonMod from './common.js';
import * as q80Mod from './q8-0.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, fr, QK, readF16, readI8, readU32, toI8, writeF16, writeU32 } = commonMod;
const { Q8_0_BYTES } = q80Mod;

/** Bytes per Q5_0 block. */
export const Q5_0_BYTES = 22;

/** dequantize_row_q5_0. */
export function dequantizeRowQ5_0(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  checkBlocks('q5_0', n, QK);
  for (let ib = 0, o = srcOffset; ib < n / QK; ib++, o += Q5_0_BYTES) {
    const d = readF16(src, o);
    const qh = readU32(src, o + 2);
    const y = outOffset + ib * QK;
    for (let j = 0; j < 16; j++) {
      const b = src[o + 6 + j]!;
      const h0 = ((qh >>> j) << 4) & 0x10;
      const h1 = (qh >>> (j + 12)) & 0x10;
      out[y + j] = fr((((b & 0x0f) | h0) - 16) * d);
      out[y + j + 16] = fr((((b >> 4) | h1) - 16) * d);
    }
  }
}

/** quantize_row_q5_0_ref: d = max/−16, q = min(31, (int8)(x/d + 16.5)). */
export function quantizeRowQ5_0(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('q5_0', n, QK);
  for (let ib = 0, o = dstOffset; ib < n / QK; ib++, o += Q5_0_BYTES) {
    const xb = xOffset + ib * QK;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK; j++) {
      const v = x[xb + j]!;
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = fr(max / -16);
    const id = d !== 0 ? fr(1 / d) : 0; // C truth test: NaN counts as true
    writeF16(dst, o, d);
    let qh = 0;
    for (let j = 0; j < 16; j++) {
      const q0 = Math.min(31, toI8(fr(fr(x[xb + j]! * id) + 16.5))) & 0xff;
      const q1 = Math.min(31, toI8(fr(fr(x[xb + 16 + j]! * id) + 16.5))) & 0xff;
      dst[o + 6 + j] = (q0 & 0x0f) | ((q1 & 0x0f) << 4);
      qh |= ((q0 & 0x10) >>> 4) << j;
      qh |= ((q1 & 0x10) >>> 4) << (j + 16);
    }
    writeU32(dst, o + 2, qh >>> 0);
  }
}

/** ggml_vec_dot_q5_0_q8_0_generic (activation row in Q8_0). */
export function vecDotQ5_0Q8_0(
  w: Uint8Array,
  wOffset: number,
  a: Uint8Array,
  aOffset: number,
  n: number,
): number {
  checkBlocks('q5_0', n, QK);
  let sumf = 0;
  for (let ib = 0, ow = wOffset, oa = aOffset; ib < n / QK; ib++, ow += Q5_0_BYTES, oa += Q8_0_BYTES) {
    const qh = readU32(w, ow + 2);
    let sumi = 0;
    for (let j = 0; j < 16; j++) {
      const b = w[ow + 6 + j]!;
      const x0 = ((b & 0x0f) | (((qh >>> j) & 1) << 4)) - 16;
      const x1 = ((b >> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16;
      sumi += x0 * readI8(a, oa + 2 + j) + x1 * readI8(a, oa + 2 + j + 16);
    }
    sumf = fr(sumf + fr(fr(readF16(w, ow) * readF16(a, oa)) * sumi));
  }
  return sumf;
}
