// Q4_K: 256 weights per 144-byte super-block {fp16 d, fp16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of
// nibbles}; sub-block j of 32 has value = d·sc_j·q − dmin·m_j.

import * as commonMod from './common.js';
import * as kCommonMod from './k-common.js';
import * as q8KMod from './q8-k.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, fr, nearestInt, QK_K, readF16, readF32, readI16, writeF16 } = commonMod;
const { makeQkx2Quants, minK4, packScalesK4, qkx2Out, scaleK4 } = kCommonMod;
const { Q8_K_BYTES } = q8KMod;

/** Bytes per Q4_K super-block. */
export const Q4_K_BYTES = 144;

/** dequantize_row_q4_K. */
export function dequantizeRowQ4_K(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  checkBlocks('q4_K', n, QK_K);
  for (let ib = 0, o = srcOffset; ib < n / QK_K; ib++, o += Q4_K_BYTES) {
    const d = readF16(src, o);
    const min = readF16(src, o + 2);
    let y = outOffset + ib * QK_K;
    let q = o + 16;
    for (let is = 0; is < 8; is += 2) {
      const d1 = fr(d * scaleK4(src, o + 4, is));
      const m1 = fr(min * minK4(src, o + 4, is));
      const d2 = fr(d * scaleK4(src, o + 4, is + 1));
      const m2 = fr(min * minK4(src, o + 4, is + 1));
      for (let l = 0; l < 32; l++) out[y++] = fr(fr(d1 * (src[q + l]! & 0xf)) - m1);
      for (let l = 0; l < 32; l++) out[y++] = fr(fr(d2 * (src[q + l]! >> 4)) - m2);
      q += 32;
    }
  }
}

const L = new Uint8Array(QK_K);
const laux = new Uint8Array(32);
const weights = new Float32Array(32);
const scales = new Float32Array(8);
const mins = new Float32Array(8);
const ls = new Uint8Array(8);
const lm = new Uint8Array(8);
const TENTH = fr(0.1);

/**
 * Shared by Q4_K and Q5_K (quantize_row_q4_K_ref / q5_K_ref): per sub-block make_qkx2_quants, then 6-bit
 * scales/mins against the super-block maxima, then the final levels; leaves levels in `L`, writes d, dmin
 * and the 12 scale bytes at `dst[o..o+16)`.
 */
export function quantizeScalesKx2(
  x: Float32Array,
  xb: number,
  dst: Uint8Array,
  o: number,
  nmax: number,
  rmin: number,
  nstep: number,
): Uint8Array {
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < 8; j++) {
    let sumX2 = 0;
    for (let l = 0; l < 32; l++) sumX2 = fr(sumX2 + fr(x[xb + 32 * j + l]! * x[xb + 32 * j + l]!));
    const avX = fr(Math.sqrt(fr(sumX2 / 32)));
    for (let l = 0; l < 32; l++) weights[l] = fr(avX + Math.abs(x[xb + 32 * j + l]!));
    scales[j] = makeQkx2Quants(32, nmax, x, xb + 32 * j, weights, L, 32 * j, laux, rmin, TENTH, nstep);
    mins[j] = qkx2Out.theMin;
    if (scales[j]! > maxScale) maxScale = scales[j]!;
    if (mins[j]! > maxMin) maxMin = mins[j]!;
  }
  const invScale = maxScale > 0 ? fr(63 / maxScale) : 0;
  const invMin = maxMin > 0 ? fr(63 / maxMin) : 0;
  for (let j = 0; j < 8; j++) {
    ls[j] = Math.min(63, nearestInt(fr(invScale * scales[j]!)) & 0xff);
    lm[j] = Math.min(63, nearestInt(fr(invMin * mins[j]!)) & 0xff);
  }
  packScalesK4(dst, o + 4, ls, lm);
  writeF16(dst, o, fr(maxScale / 63));
  writeF16(dst, o + 2, fr(maxMin / 63));
  const dAll = readF16(dst, o);
  const mAll = readF16(dst, o + 2);
  for (let j = 0; j < 8; j++) {
    const d = fr(dAll * scaleK4(dst, o + 4, j));
    if (d === 0) continue; // C `!d`: NaN does not skip
    const dm = fr(mAll * minK4(dst, o + 4, j));
    for (let ii = 0; ii < 32; ii++) {
      const l = nearestInt(fr(fr(x[xb + 32 * j + ii]! + dm) / d));
      L[32 * j + ii] = Math.max(0, Math.min(nmax, l));
    }
  }
  return L;
}

/** quantize_row_q4_K_ref (what llama-quantize uses without an importance matrix). */
export function quantizeRowQ4_K(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('q4_K', n, QK_K);
  for (let ib = 0, o = dstOffset; ib < n / QK_K; ib++, o += Q4_K_BYTES) {
    const lv = quantizeScalesKx2(x, xOffset + ib * QK_K, dst, o, 15, -1, 20);
    let q = o + 16;
    for (let j = 0; j < QK_K; j += 64) {
      for (let l = 0; l < 32; l++) dst[q + l] = lv[j + l]! | (lv[j + l + 32]! << 4);
      q += 32;
    }
  }
}

const sums = new Float32Array(8);
const aux32 = new Int32Array(8);
const sc8 = new Int32Array(8);
const mn8 = new Int32Array(8);

/** ggml_vec_dot_q4_K_q8_K_generic (activation row in Q8_K). */
export function vecDotQ4_KQ8_K(
  w: Uint8Array,
  wOffset: number,
  a: Uint8Array,
  aOffset: number,
  n: number,
): number {
  checkBlocks('q4_K', n, QK_K);
  sums.fill(0);
  let sumf = 0;
  for (let ib = 0, ow = wOffset, oa = aOffset; ib < n / QK_K; ib++, ow += Q4_K_BYTES, oa += Q8_K_BYTES) {
    for (let j = 0; j < 8; j++) {
      sc8[j] = scaleK4(w, ow + 4, j);
      mn8[j] = minK4(w, ow + 4, j);
    }
    let sumi = 0;
    for (let j = 0; j < 16; j++) sumi += readI16(a, oa + 260 + 2 * j) * mn8[j >> 1]!;
    aux32.fill(0);
    // sub-block j (32 elements): nibble (j & 1) of bytes 16 + 32·(j >> 1) .. +32; integer sums are exact, so
    // only the lane (element index mod 8) matters for the float part below
    for (let j = 0; j < 8; j++) {
      const scale = sc8[j]!;
      const qb = ow + 16 + 32 * (j >> 1);
      const shift = (j & 1) * 4;
      const ab = oa + 4 + 32 * j;
      for (let l = 0; l < 32; l++) {
        aux32[l & 7]! += scale * (((w[qb + l]! >> shift) & 0xf) * ((a[ab + l]! << 24) >> 24));
      }
    }
    const yd = readF32(a, oa);
    const d = fr(readF16(w, ow) * yd);
    for (let l = 0; l < 8; l++) sums[l] = fr(sums[l]! + fr(d * fr(aux32[l]!)));
    const dmin = fr(readF16(w, ow + 2) * yd);
    sumf = fr(sumf - fr(dmin * sumi));
  }
  for (let l = 0; l < 8; l++) sumf = fr(sumf + sums[l]!);
  return sumf;
}
