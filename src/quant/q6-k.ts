// Q6_K: 256 weights per 210-byte super-block {ql[128] low nibbles, qh[64] high 2-bit pairs, int8 scales[16],
// fp16 d}; sub-block j of 16 has value = d·scales[j]·(q − 32) with q in 0..63.

import * as commonMod from './common.js';
import * as kCommonMod from './k-common.js';
import * as q8KMod from './q8-k.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { checkBlocks, fr, nearestInt, QK_K, readF16, readF32, readI8, writeF16 } = commonMod;
const { GROUP_MAX_EPS, makeQxQuants } = kCommonMod;
const { Q8_K_BYTES } = q8KMod;

/** Bytes per Q6_K super-block. */
export const Q6_K_BYTES = 210;

/** dequantize_row_q6_K. */
export function dequantizeRowQ6_K(
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  checkBlocks('q6_K', n, QK_K);
  for (let ib = 0, o = srcOffset; ib < n / QK_K; ib++, o += Q6_K_BYTES) {
    const d = readF16(src, o + 208);
    let ql = o;
    let qh = o + 128;
    let sc = o + 192;
    let y = outOffset + ib * QK_K;
    for (let nn = 0; nn < QK_K; nn += 128) {
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = src[qh + l]!;
        const q1 = ((src[ql + l]! & 0xf) | ((h & 3) << 4)) - 32;
        const q2 = ((src[ql + l + 32]! & 0xf) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((src[ql + l]! >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((src[ql + l + 32]! >> 4) | (((h >> 6) & 3) << 4)) - 32;
        out[y + l] = fr(fr(d * readI8(src, sc + is)) * q1);
        out[y + l + 32] = fr(fr(d * readI8(src, sc + is + 2)) * q2);
        out[y + l + 64] = fr(fr(d * readI8(src, sc + is + 4)) * q3);
        out[y + l + 96] = fr(fr(d * readI8(src, sc + is + 6)) * q4);
      }
      y += 128;
      ql += 64;
      qh += 32;
      sc += 8;
    }
  }
}

const L = new Uint8Array(QK_K);
const scales = new Float32Array(16);

/** quantize_row_q6_K_ref (what llama-quantize uses without an importance matrix). */
export function quantizeRowQ6_K(
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  checkBlocks('q6_K', n, QK_K);
  for (let ib = 0, o = dstOffset; ib < n / QK_K; ib++, o += Q6_K_BYTES) {
    const xb = xOffset + ib * QK_K;
    let maxScale = 0;
    let maxAbsScale = 0;
    for (let j = 0; j < 16; j++) {
      const scale = makeQxQuants(16, 32, x, xb + 16 * j, L, 16 * j);
      scales[j] = scale;
      const abs = Math.abs(scale);
      if (abs > maxAbsScale) {
        maxAbsScale = abs;
        maxScale = scale;
      }
    }
    if (maxAbsScale < GROUP_MAX_EPS) {
      dst.fill(0, o, o + Q6_K_BYTES);
      continue;
    }
    const iscale = fr(-128 / maxScale);
    writeF16(dst, o + 208, fr(1 / iscale));
    for (let j = 0; j < 16; j++) dst[o + 192 + j] = Math.min(127, nearestInt(fr(iscale * scales[j]!))) & 0xff;
    const dAll = readF16(dst, o + 208);
    for (let j = 0; j < 16; j++) {
      const d = fr(dAll * readI8(dst, o + 192 + j));
      if (d === 0) continue; // C `!d`: NaN does not skip
      for (let ii = 0; ii < 16; ii++) {
        const l = nearestInt(fr(x[xb + 16 * j + ii]! / d));
        L[16 * j + ii] = Math.max(-32, Math.min(31, l)) + 32;
      }
    }
    let ql = o;
    let qh = o + 128;
    for (let j = 0; j < QK_K; j += 128) {
      for (let l = 0; l < 32; l++) {
        const a = L[j + l]!;
        const b = L[j + l + 32]!;
        const c = L[j + l + 64]!;
        const e = L[j + l + 96]!;
        dst[ql + l] = (a & 0xf) | ((c & 0xf) << 4);
        dst[ql + l + 32] = (b & 0xf) | ((e & 0xf) << 4);
        dst[qh + l] = (a >> 4) | ((b >> 4) << 2) | ((c >> 4) << 4) | ((e >> 4) << 6);
      }
      ql += 64;
      qh += 32;
    }
  }
}

const sums = new Float32Array(8);
const aux32 = new Int32Array(8);

/** ggml_vec_dot_q6_K_q8_K_generic (activation row in Q8_K). */
export function vecDotQ6_KQ8_K(
  w: Uint8Array,
  wOffset: number,
  a: Uint8Array,
  aOffset: number,
  n: number,
): number {
  checkBlocks('q6_K', n, QK_K);
  sums.fill(0);
  let sumf = 0;
  for (let ib = 0, ow = wOffset, oa = aOffset; ib < n / QK_K; ib++, ow += Q6_K_BYTES, oa += Q8_K_BYTES) {
    aux32.fill(0);
    // element k = 128·half + 32·r + l: low nibble of ql[64·half + l + 32·(r & 1)] (high nibble when r ≥ 2),
    // high 2 bits at (qh[32·half + l] >> 2r) & 3; scale index k >> 4
    for (let half = 0; half < 2; half++) {
      for (let r = 0; r < 4; r++) {
        const qlb = ow + 64 * half + 32 * (r & 1);
        const qhb = ow + 128 + 32 * half;
        const lowShift = r < 2 ? 0 : 4;
        const k0 = 128 * half + 32 * r;
        const ab = oa + 4 + k0;
        const s0 = readI8(w, ow + 192 + (k0 >> 4));
        const s1 = readI8(w, ow + 193 + (k0 >> 4));
        for (let l = 0; l < 32; l++) {
          const q = (((w[qlb + l]! >> lowShift) & 0xf) | (((w[qhb + l]! >> (2 * r)) & 3) << 4)) - 32;
          aux32[l & 7]! += (l < 16 ? s0 : s1) * (q * ((a[ab + l]! << 24) >> 24));
        }
      }
    }
    const d = fr(readF16(w, ow + 208) * readF32(a, oa));
    for (let l = 0; l < 8; l++) sums[l] = fr(sums[l]! + fr(d * fr(aux32[l]!)));
  }
  for (let l = 0; l < 8; l++) sumf = fr(sumf + sums[l]!);
  return sumf;
}
