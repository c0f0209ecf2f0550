// Q8_0: 32 weights per 34-byte block {fp16 d, int8 qs[32]}, value = qs·d. Also the activation type of Q4_0/Q5_0/Q8_0.

import * as commonMod from './common.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, cvtpsEpi32, fr, QK, readF16, readI8, roundf, toI8, writeF16 } = commonMod;

/** Bytes per Q8_0 block. */
export const Q8_0_BYTES = 34;

/** dequantize_row_q8_0. */
export function dequantizeRowQ8_0(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  checkBlocks('q8_0', n, QK);
  for (let ib = 0, o = srcOffset; ib < n / QK; ib++, o += Q8_0_BYTES) {
    const d = readF16(src, o);
    const y = outOffset + ib * QK;
    for (let j = 0; j < QK; j++) out[y + j] = fr(readI8(src, o + 2 + j) * d);
  }
}

/** quantize_row_q8_0_ref (also ggml's generic CPU activation quantizer): d = amax/127, q = roundf(x/d). */
export function quantizeRowQ8_0(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('q8_0', n, QK);
  for (let ib = 0, o = dstOffset; ib < n / QK; ib++, o += Q8_0_BYTES) {
    const xb = xOffset + ib * QK;
    let amax = 0;
    for (let j = 0; j < QK; j++) {
      const v = Math.abs(x[xb + j]!);
      // biome-ignore lint/complexity/useMathMinMax: C's MAX macro, which treats NaN differently from Math.max
      amax = amax > v ? amax : v;
    }
    const d = fr(amax / 127);
    const id = d !== 0 ? fr(1 / d) : 0; // C truth test: NaN counts as true
    writeF16(dst, o, d);
    for (let j = 0; j < QK; j++) dst[o + 2 + j] = toI8(roundf(fr(x[xb + j]! * id))) & 0xff;
  }
}

/**
 * The x86 AVX/AVX2 activation quantizer (ggml-cpu/arch/x86 quantize_row_q8_0), which differs from the
 * reference: id = 127/amax instead of 1/d, and rounding half to even instead of away from zero.
 */
export function quantizeRowQ8_0X86(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('q8_0', n, QK);
  for (let ib = 0, o = dstOffset; ib < n / QK; ib++, o += Q8_0_BYTES) {
    const xb = xOffset + ib * QK;
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[xb + j]!));
    const d = fr(amax / 127);
    writeF16(dst, o, d);
    const id = amax !== 0 ? fr(127 / amax) : 0;
    for (let j = 0; j < QK; j++) {
      const q = cvtpsEpi32(fr(x[xb + j]! * id));
      dst[o + 2 + j] = Math.min(127, Math.max(-128, q)) & 0xff;
    }
  }
}

/** ggml_vec_dot_q8_0_q8_0_generic. */
export function vecDotQ8_0Q8_0(
  w: Uint8Array,
  wOffset: number,
  a: Uint8Array,
  aOffset: number,
  n: number,
): number {
  checkBlocks('q8_0', n, QK);
  let sumf = 0;
  for (let ib = 0, ow = wOffset, oa = aOffset; ib < n / QK; ib++, ow += Q8_0_BYTES, oa += Q8_0_BYTES) {
    let sumi = 0;
    for (let j = 0; j < QK; j++) sumi += readI8(w, ow + 2 + j) * readI8(a, oa + 2 + j);
    sumf = fr(sumf + fr(sumi * fr(readF16(w, ow) * readF16(a, oa))));
  }
  return sumf;
}
