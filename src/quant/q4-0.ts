// Q4_0: 32 weights per 18-byte block {fp16 d, 16 bytes of nibbles}; value = (q − 8)·d; element j in the low
// nibble of byte j, element j+16 in its high nibble.

import * as commonMod from './common.js';
import * as q80Mod from './q8-0.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, fr, QK, readF16, readI8, toI8, writeF16 } = commonMod;
const { Q8_0_BYTES } = q80Mod;

/** Bytes per Q4_0 block. */
export const Q4_0_BYTES = 18;

/** dequantize_row_q4_0. */
export function dequantizeRowQ4_0(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  checkBlocks('q4_0', n, QK);
  for (let ib = 0, o = srcOffset; ib < n / QK; ib++, o += Q4_0_BYTES) {
    const d = readF16(src, o);
    const y = outOffset + ib * QK;
    for (let j = 0; j < 16; j++) {
      const b = src[o + 2 + j]!;
      out[y + j] = fr(((b & 0x0f) - 8) * d);
      out[y + j + 16] = fr(((b >> 4) - 8) * d);
    }
  }
}

/** quantize_row_q4_0_ref: d = max/−8 (max = the value of largest magnitude), q = min(15, (int8)(x/d + 8.5)). */
export function quantizeRowQ4_0(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('q4_0', n, QK);
  for (let ib = 0, o = dstOffset; ib < n / QK; ib++, o += Q4_0_BYTES) {
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
    const d = fr(max / -8);
    const id = d !== 0 ? fr(1 / d) : 0; // C truth test: NaN counts as true
    writeF16(dst, o, d);
    for (let j = 0; j < 16; j++) {
      const x0 = fr(x[xb + j]! * id);
      const x1 = fr(x[xb + 16 + j]! * id);
      const q0 = Math.min(15, toI8(fr(x0 + 8.5))) & 0xff;
      const q1 = Math.min(15, toI8(fr(x1 + 8.5))) & 0xff;
      dst[o + 2 + j] = (q0 | (q1 << 4)) & 0xff;
    }
  }
}

/** ggml_vec_dot_q4_0_q8_0_generic (activation row in Q8_0). */
export function vecDotQ4_0Q8_0(
  w: Uint8Array,
  wOffset: number,
  a: Uint8Array,
  aOffset: number,
  n: number,
): number {
  checkBlocks('q4_0', n, QK);
  let sumf = 0;
  for (let ib = 0, ow = wOffset, oa = aOffset; ib < n / QK; ib++, ow += Q4_0_BYTES, oa += Q8_0_BYTES) {
    let sumi0 = 0;
    let sumi1 = 0;
    for (let j = 0; j < 16; j++) {
      const b = w[ow + 2 + j]!;
      sumi0 += ((b & 0x0f) - 8) * readI8(a, oa + 2 + j);
      sumi1 += ((b >> 4) - 8) * readI8(a, oa + 2 + j + 16);
    }
    sumf = fr(sumf + fr(fr((sumi0 + sumi1) * readF16(w, ow)) * readF16(a, oa)));
  }
  return sumf;
}
