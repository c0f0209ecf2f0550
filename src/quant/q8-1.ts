// Q8_1: 32 values per 36-byte block {fp16 d, fp16 s = d·Σqs, int8 qs[32]}; the activation type of Q4_1/Q5_1.

import * as commonMod from './common.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, cvtpsEpi32, fr, QK, readF16, readI8, roundf, toI8, writeF16 } = commonMod;

/** Bytes per Q8_1 block. */
export const Q8_1_BYTES = 36;

/** Dequantizes Q8_1 as qs·d (ggml has no dequantize_row_q8_1; this is the obvious meaning). */
export function dequantizeRowQ8_1(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  checkBlocks('q8_1', n, QK);
  for (let ib = 0, o = srcOffset; ib < n / QK; ib++, o += Q8_1_BYTES) {
    const d = readF16(src, o);
    const y = outOffset + ib * QK;
    for (let j = 0; j < QK; j++) out[y + j] = fr(readI8(src, o + 4 + j) * d);
  }
}

/** quantize_row_q8_1_ref (ggml's generic CPU activation quantizer for Q4_1/Q5_1 weights). */
export function quantizeRowQ8_1(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('q8_1', n, QK);
  for (let ib = 0, o = dstOffset; ib < n / QK; ib++, o += Q8_1_BYTES) {
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
    let sum = 0;
    for (let j = 0; j < QK; j++) {
      const q = toI8(roundf(fr(x[xb + j]! * id)));
      dst[o + 4 + j] = q & 0xff;
      sum = (sum + q) | 0; // int32 lanes, wrapping
    }
    writeF16(dst, o + 2, fr(sum * d));
  }
}

/** The x86 AVX2 variant (ggml-cpu/arch/x86 quantize_row_q8_1): id = 127/amax, round half to even. */
export function quantizeRowQ8_1X86(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('q8_1', n, QK);
  for (let ib = 0, o = dstOffset; ib < n / QK; ib++, o += Q8_1_BYTES) {
    const xb = xOffset + ib * QK;
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[xb + j]!));
    const d = fr(amax / 127);
    writeF16(dst, o, d);
    const id = amax !== 0 ? fr(127 / amax) : 0;
    let sum = 0;
    for (let j = 0; j < QK; j++) {
      const q = cvtpsEpi32(fr(x[xb + j]! * id));
      sum = (sum + q) | 0; // int32 lanes, wrapping
      dst[o + 4 + j] = Math.min(127, Math.max(-128, q)) & 0xff;
    }
    writeF16(dst, o + 2, fr(d * sum));
  }
}
