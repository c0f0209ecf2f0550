// Q5_K: 256 weights per 176-byte super-block {fp16 d, fp16 dmin, 12 bytes of 6-bit scales/mins, 32 bytes of
// high bits, 128 bytes of nibbles}; sub-block j of 32 has value = d·sc_j·q − dmin·m_j with q in 0..31.

import * as commonMod from './common.js';
import * as kCommonMod from './k-common.js';
import * as q4KMod from './q4-k.js';
import * as q8KMod from './q8-k.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, fr, QK_K, readF16, readF32, readI16 } = commonMod;
const { minK4, scaleK4 } = kCommonMod;
const { quantizeScalesKx2 } = q4KMod;
const { Q8_K_BYTES } = q8KMod;

/** Bytes per Q5_K super-block. */
export const Q5_K_BYTES = 176;

/** dequantize_row_q5_K. */
export function dequantizeRowQ5_K(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  checkBlocks('q5_K', n, QK_K);
  for (let ib = 0, o = srcOffset; ib < n / QK_K; ib++, o += Q5_K_BYTES) {
    const d = readF16(src, o);
    const min = readF16(src, o + 2);
    const qh = o + 16;
    let ql = o + 48;
    let y = outOffset + ib * QK_K;
    let u1 = 1;
    let u2 = 2;
    for (let is = 0; is < 8; is += 2) {
      const d1 = fr(d * scaleK4(src, o + 4, is));
      const m1 = fr(min * minK4(src, o + 4, is));
      const d2 = fr(d * scaleK4(src, o + 4, is + 1));
      const m2 = fr(min * minK4(src, o + 4, is + 1));
      for (let l = 0; l < 32; l++)
        out[y++] = fr(fr(d1 * ((src[ql + l]! & 0xf) + (src[qh + l]! & u1 ? 16 : 0))) - m1);
      for (let l = 0; l < 32; l++)
        out[y++] = fr(fr(d2 * ((src[ql + l]! >> 4) + (src[qh + l]! & u2 ? 16 : 0))) - m2);
      ql += 32;
      u1 <<= 2;
      u2 <<= 2;
    }
  }
}

/** quantize_row_q5_K_ref (what llama-quantize uses without an importance matrix). */
export function quantizeRowQ5_K(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('q5_K', n, QK_K);
  for (let ib = 0, o = dstOffset; ib < n / QK_K; ib++, o += Q5_K_BYTES) {
    const L = quantizeScalesKx2(x, xOffset + ib * QK_K, dst, o, 31, -0.5, 15);
    const qh = o + 16;
    let ql = o + 48;
    dst.fill(0, qh, qh + 32);
    let m1 = 1;
    let m2 = 2;
    for (let nn = 0; nn < QK_K; nn += 64) {
      for (let j = 0; j < 32; j++) {
        let l1 = L[nn + j]!;
        if (l1 > 15) {
          l1 -= 16;
          dst[qh + j]! |= m1;
        }
        let l2 = L[nn + j + 32]!;
        if (l2 > 15) {
          l2 -= 16;
          dst[qh + j]! |= m2;
        }
        dst[ql + j] = l1 | (l2 << 4);
      }
      m1 <<= 2;
      m2 <<= 2;
      ql += 32;
    }
  }
}

const sums = new Float32Array(8);
const aux32 = new Int32Array(8);
const sc8 = new Int32Array(8);
const mn8 = new Int32Array(8);

/** ggml_vec_dot_q5_K_q8_K_generic (activation row in Q8_K). */
export function vecDotQ5_KQ8_K(
  w: Uint8Array,
  wOffset: number,
  a: Uint8Array,
  aOffset: number,
  n: number,
): number {
  checkBlocks('q5_K', n, QK_K);
  sums.fill(0);
  let sumf = 0;
  for (let ib = 0, ow = wOffset, oa = aOffset; ib < n / QK_K; ib++, ow += Q5_K_BYTES, oa += Q8_K_BYTES) {
    for (let j = 0; j < 8; j++) {
      sc8[j] = scaleK4(w, ow + 4, j);
      mn8[j] = minK4(w, ow + 4, j);
    }
    let sumi = 0;
    for (let j = 0; j < 16; j++) sumi += readI16(a, oa + 260 + 2 * j) * mn8[j >> 1]!;
    aux32.fill(0);
    for (let j = 0; j < 8; j++) {
      const scale = sc8[j]!;
      const qb = ow + 48 + 32 * (j >> 1);
      const shift = (j & 1) * 4;
      const qh = ow + 16;
      const ab = oa + 4 + 32 * j;
      for (let l = 0; l < 32; l++) {
        const q = ((w[qb + l]! >> shift) & 0xf) | (((w[qh + l]! >> j) & 1) << 4);
        aux32[l & 7]! += scale * (q * ((a[ab + l]! << 24) >> 24));
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
