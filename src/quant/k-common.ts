// Helpers shared by the K-quants: the 6-bit scale/min packing and ggml's scale searches (make_qkx2_quants, make_qx_quants).

import * as commonMod from './common.js';

// Module-local aliases: calls through imported bindings are slow under tsx's loader in hot loops.
const { fr, nearestInt } = commonMod;

/** ggml's GROUP_MAX_EPS: groups whose largest magnitude is below this quantize to zero. */
export const GROUP_MAX_EPS = fr(1e-15);

/** get_scale_min_k4: the 6-bit scale of sub-block `j` (0..7) from the 12 packed bytes at `q[o..o+12)`. */
export function scaleK4(q: Uint8Array, o: number, j: number): number {
  return j < 4 ? q[o + j]! & 63 : (q[o + j + 4]! & 0xf) | ((q[o + j - 4]! >> 6) << 4);
}

/** get_scale_min_k4: the 6-bit min of sub-block `j` (0..7) from the 12 packed bytes at `q[o..o+12)`. */
export function minK4(q: Uint8Array, o: number, j: number): number {
  return j < 4 ? q[o + j + 4]! & 63 : (q[o + j + 4]! >> 4) | ((q[o + j]! >> 6) << 4);
}

/** Packs 8 six-bit scales and mins into 12 bytes at `q[o..o+12)` as quantize_row_q4_K_ref does. */
export function packScalesK4(q: Uint8Array, o: number, ls: Uint8Array, lm: Uint8Array): void {
  for (let j = 0; j < 8; j++) {
    if (j < 4) {
      q[o + j] = ls[j]!;
      q[o + j + 4] = lm[j]!;
    } else {
      q[o + j + 4] = (ls[j]! & 0xf) | ((lm[j]! & 0xf) << 4);
      q[o + j - 4]! |= (ls[j]! >> 4) << 6;
      q[o + j]! |= (lm[j]! >> 4) << 6;
    }
  }
}

/** Second result of makeQkx2Quants (ggml's `the_min` out-parameter): the negated offset, ≥ 0. */
export const qkx2Out = { theMin: 0 };

/**
 * make_qkx2_quants: searches scale and min for `n` values `x[xo..]` with per-value `weights`, levels 0..nmax,
 * writing levels to `L[lo..]` (`laux` is scratch of n bytes). Returns the scale; the min (negated) goes to
 * qkx2Out.theMin. Every float operation is rounded to float32 in C's order.
 */
export function makeQkx2Quants(
  n: number,
  nmax: number,
  x: Float32Array,
  xo: number,
  weights: Float32Array,
  L: Uint8Array,
  lo: number,
  laux: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
): number {
  let min = x[xo]!;
  let max = x[xo]!;
  let sumW = weights[0]!;
  let sumX = fr(sumW * x[xo]!);
  for (let i = 1; i < n; i++) {
    const xi = x[xo + i]!;
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    const w = weights[i]!;
    sumW = fr(sumW + w);
    sumX = fr(sumX + fr(w * xi));
  }
  if (min > 0) min = 0;
  if (max === min) {
    for (let i = 0; i < n; i++) L[lo + i] = 0;
    qkx2Out.theMin = -min;
    return 0;
  }
  let iscale = fr(nmax / fr(max - min));
  let scale = fr(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const l = nearestInt(fr(iscale * fr(x[xo + i]! - min)));
    const q = Math.max(0, Math.min(nmax, l));
    L[lo + i] = q;
    let diff = fr(fr(fr(scale * q) + min) - x[xo + i]!);
    diff = fr(diff * diff);
    bestError = fr(bestError + fr(weights[i]! * diff));
  }
  if (nstep < 1) {
    qkx2Out.theMin = -min;
    return scale;
  }
  for (let is = 0; is <= nstep; is++) {
    // `min` may have been replaced by a better offset in an earlier step; ggml uses the current one here
    iscale = fr(fr(fr(rmin + fr(rdelta * is)) + nmax) / fr(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xo + i]!;
      const l = Math.max(0, Math.min(nmax, nearestInt(fr(iscale * fr(xi - min)))));
      laux[i] = l;
      const wl = fr(weights[i]! * l);
      sumL = fr(sumL + wl);
      sumL2 = fr(sumL2 + fr(wl * l));
      sumXL = fr(sumXL + fr(wl * xi));
    }
    const D = fr(fr(sumW * sumL2) - fr(sumL * sumL));
    if (D > 0) {
      let thisScale = fr(fr(fr(sumW * sumXL) - fr(sumX * sumL)) / D);
      let thisMin = fr(fr(fr(sumL2 * sumX) - fr(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = fr(sumXL / sumL2);
      }
      let curError = 0;
      for (let i = 0; i < n; i++) {
        let diff = fr(fr(fr(thisScale * laux[i]!) + thisMin) - x[xo + i]!);
        diff = fr(diff * diff);
        curError = fr(curError + fr(weights[i]! * diff));
      }
      if (curError < bestError) {
        for (let i = 0; i < n; i++) L[lo + i] = laux[i]!;
        bestError = curError;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  qkx2Out.theMin = -min;
  return scale;
}

/**
 * make_qx_quants with rmse_type 1 and no importance weights (weights x²): symmetric levels −nmax..nmax−1
 * stored as l + nmax in `L[lo..]`; tries 18 scale tweaks. Returns the scale.
 */
export function makeQxQuants(
  n: number,
  nmax: number,
  x: Float32Array,
  xo: number,
  L: Uint8Array,
  lo: number,
): number {
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[xo + i]!);
    if (ax > amax) {
      amax = ax;
      max = x[xo + i]!;
    }
  }
  if (amax < GROUP_MAX_EPS) {
    for (let i = 0; i < n; i++) L[lo + i] = 0;
    return 0;
  }
  let iscale = fr(-nmax / max);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xo + i]!;
    const l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(iscale * xi))));
    L[lo + i] = l + nmax;
    const w = fr(xi * xi);
    sumlx = fr(sumlx + fr(fr(w * xi) * l));
    suml2 = fr(suml2 + fr(fr(w * l) * l));
  }
  let scale = suml2 !== 0 ? fr(sumlx / suml2) : 0;
  let best = fr(scale * sumlx);
  const tenth = fr(0.1);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = fr(-fr(nmax + fr(tenth * is)) / max);
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xo + i]!;
      const l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(iscale * xi))));
      const w = fr(xi * xi);
      sumlx = fr(sumlx + fr(fr(w * xi) * l));
      suml2 = fr(suml2 + fr(fr(w * l) * l));
    }
    if (suml2 > 0 && fr(sumlx * sumlx) > fr(best * suml2)) {
      for (let i = 0; i < n; i++) {
        const l = nearestInt(fr(iscale * x[xo + i]!));
        L[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, l));
      }
      scale = fr(sumlx / suml2);
      best = fr(scale * sumlx);
    }
  }
  return scale;
}
