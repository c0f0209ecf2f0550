// Forward and backward of the non-GEMM training ops (RMSNorm, NeoX RoPE, causal attention, SiLU·up, cross-entropy):
// float64-capable TypeScript references; the float32 model runs the fused WASM twins in train-kernels.wat.
import { type Arr, type Gemm, WasmGemm } from './gemm.js';

/**
 * RMSNorm forward over `n` rows of width `d`: y = x · r · w with r = 1/sqrt(mean(x²) + eps).
 * Saves r per row in `rs` (needed by the backward).
 */
export function rmsnormForward(
  a: Arr,
  x: number,
  w: number,
  y: number,
  rs: number,
  n: number,
  d: number,
  eps: number,
): void {
  for (let i = 0; i < n; i++) {
    const xi = x + i * d;
    const yi = y + i * d;
    let ss = 0;
    for (let j = 0; j < d; j++) ss += a[xi + j] * a[xi + j];
    // llama.cpp: scale = 1/sqrtf(mean + eps), computed in float; double here then stored.
    const r = 1 / Math.sqrt(ss / d + eps);
    a[rs + i] = r;
    const rf = a[rs + i];
    for (let j = 0; j < d; j++) a[yi + j] = a[xi + j] * rf * a[w + j];
  }
}

/**
 * RMSNorm backward: dx += r·(dy·w) − x·r³·mean(dy·w·x); dw += Σ_rows dy·x·r.
 * `dx` is accumulated into (residual stream gradient).
 */
export function rmsnormBackward(
  a: Arr,
  x: number,
  w: number,
  rs: number,
  dy: number,
  dx: number,
  dw: number,
  n: number,
  d: number,
): void {
  for (let i = 0; i < n; i++) {
    const xi = x + i * d;
    const gi = dy + i * d;
    const di = dx + i * d;
    const r = a[rs + i];
    let dot = 0;
    for (let j = 0; j < d; j++) {
      const g = a[gi + j];
      dot += g * a[w + j] * a[xi + j];
      a[dw + j] += g * a[xi + j] * r;
    }
    const c = (r * r * r * dot) / d;
    for (let j = 0; j < d; j++) a[di + j] += r * a[gi + j] * a[w + j] - a[xi + j] * c;
  }
}

/** cos/sin tables [T, D/2] for NeoX RoPE: θ_i = pos · theta^(−2i/D). */
export function ropeTables(T: number, D: number, theta: number): { cos: Float64Array; sin: Float64Array } {
  const half = D / 2;
  const cos = new Float64Array(T * half);
  const sin = new Float64Array(T * half);
  for (let p = 0; p < T; p++) {
    for (let i = 0; i < half; i++) {
      const ang = p * theta ** ((-2 * i) / D);
      cos[p * half + i] = Math.cos(ang);
      sin[p * half + i] = Math.sin(ang);
    }
  }
  return { cos, sin };
}

/**
 * NeoX RoPE in place on `nh` heads of size D inside rows of stride `ld` (B·T rows, positions t = row mod T).
 * `sign` = +1 rotates forward; −1 applies the inverse rotation (the backward of the forward rotation).
 */
export function rope(
  a: Arr,
  x: number,
  ld: number,
  nRows: number,
  T: number,
  nh: number,
  D: number,
  tab: { cos: Float64Array; sin: Float64Array },
  sign: 1 | -1,
): void {
  const half = D / 2;
  for (let r = 0; r < nRows; r++) {
    const t = r % T;
    const cb = t * half;
    for (let h = 0; h < nh; h++) {
      const o = x + r * ld + h * D;
      for (let i = 0; i < half; i++) {
        const c = tab.cos[cb + i];
        const s = sign * tab.sin[cb + i];
        const x0 = a[o + i];
        const x1 = a[o + i + half];
        a[o + i] = x0 * c - x1 * s;
        a[o + i + half] = x0 * s + x1 * c;
      }
    }
  }
}

/** Shapes of one attention call: B sequences of T positions; q heads nh, kv heads nhKv, head size D. */
export interface AttnShape {
  B: number;
  T: number;
  nh: number;
  nhKv: number;
  D: number;
}

/** Rows per causal block: scores for rows [t0, t1) only touch columns [0, t1). */
const CB = 64;

/**
 * Causal softmax attention forward. qkv: rows of stride Dq = (nh + 2·nhKv)·D holding q | k | v (after RoPE).
 * Writes probabilities to `att` [B, nh, T, T] (zeros above the diagonal) and outputs to `out` [B·T, nh·D].
 * On a WASM GEMM with worker threads the batches are shared out over the threads; [b0, b1) only when given.
 */
export function attentionForward(
  g: Gemm,
  qkv: number,
  att: number,
  out: number,
  s: AttnShape,
  b0 = 0,
  b1 = s.B,
): void {
  if (g instanceof WasmGemm && g.splitter && b0 === 0 && b1 === s.B && s.B > 1) {
    // batches over the threads (each thread: its own workspace, softmax scratch)
    g.splitter.runJob(1, [qkv, att, out, 0, 0, s.T, s.nh, s.nhKv, s.D], s.B, 1, (i0, i1) =>
      attentionForward(g, qkv, att, out, s, i0, i1),
    );
    return;
  }
  const a = g.arena;
  const { T, nh, nhKv, D } = s;
  const Dq = (nh + 2 * nhKv) * D;
  const E = nh * D;
  const scale = 1 / Math.sqrt(D);
  const grp = nh / nhKv;
  for (let b = b0; b < b1; b++) {
    for (let h = 0; h < nh; h++) {
      const kvh = Math.floor(h / grp);
      const q = qkv + b * T * Dq + h * D;
      const k = qkv + b * T * Dq + E + kvh * D;
      const v = qkv + b * T * Dq + E + nhKv * D + kvh * D;
      const P = att + (b * nh + h) * T * T;
      for (let t0 = 0; t0 < T; t0 += CB) {
        const t1 = Math.min(T, t0 + CB);
        g.nt(q + t0 * Dq, Dq, k, Dq, P + t0 * T, T, t1 - t0, t1, D, false);
      }
      if (g instanceof WasmGemm) g.k.softmax_causal(P * 4, T, scale, g.scratch);
      else softmaxCausal(a, P, T, scale);
      const o = out + b * T * E + h * D;
      for (let t0 = 0; t0 < T; t0 += CB) {
        const t1 = Math.min(T, t0 + CB);
        g.xn(P + t0 * T, T, 1, v, Dq, o + t0 * E, E, t1 - t0, D, t1, false);
      }
    }
  }
}

/** Causal softmax of the T×T scores at P in place: row t scaled by `scale`, softmaxed over 0..t, zero above. */
export function softmaxCausal(a: Arr, P: number, T: number, scale: number): void {
  for (let t = 0; t < T; t++) {
    const row = P + t * T;
    let mx = -Infinity;
    for (let j = 0; j <= t; j++) {
      const v2 = a[row + j] * scale;
      a[row + j] = v2;
      if (v2 > mx) mx = v2;
    }
    let sum = 0;
    for (let j = 0; j <= t; j++) {
      const e = Math.exp(a[row + j] - mx);
      a[row + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j <= t; j++) a[row + j] *= inv;
    for (let j = t + 1; j < T; j++) a[row + j] = 0;
  }
}

/**
 * Causal attention backward. `dout` [B·T, nh·D] in; `dqkv` (same layout as qkv) written: q part overwritten,
 * k and v parts must be zero on entry (GQA heads accumulate). `tmp` holds T·T scratch (MAX_THREADS · T·T on a
 * WASM GEMM with worker threads: thread t uses tmp + t·T·T). The gradients are w.r.t. the rotated q and k (undo
 * RoPE afterwards). Batches [b0, b1) only when given.
 */
export function attentionBackward(
  g: Gemm,
  qkv: number,
  att: number,
  dout: number,
  dqkv: number,
  tmp: number,
  s: AttnShape,
  b0 = 0,
  b1 = s.B,
): void {
  if (g instanceof WasmGemm && g.splitter && b0 === 0 && b1 === s.B && s.B > 1) {
    g.splitter.runJob(2, [qkv, att, dout, dqkv, tmp, s.T, s.nh, s.nhKv, s.D], s.B, 1, (i0, i1) =>
      attentionBackward(g, qkv, att, dout, dqkv, tmp, s, i0, i1),
    );
    return;
  }
  const a = g.arena;
  const { T, nh, nhKv, D } = s;
  const Dq = (nh + 2 * nhKv) * D;
  const E = nh * D;
  const scale = 1 / Math.sqrt(D);
  const grp = nh / nhKv;
  for (let b = b0; b < b1; b++) {
    for (let h = 0; h < nh; h++) {
      const kvh = Math.floor(h / grp);
      const base = b * T * Dq;
      const q = qkv + base + h * D;
      const k = qkv + base + E + kvh * D;
      const v = qkv + base + E + nhKv * D + kvh * D;
      const dq = dqkv + base + h * D;
      const dk = dqkv + base + E + kvh * D;
      const dv = dqkv + base + E + nhKv * D + kvh * D;
      const P = att + (b * nh + h) * T * T;
      const dO = dout + b * T * E + h * D;
      // dP = dO · Vᵀ (lower triangle only)
      for (let t0 = 0; t0 < T; t0 += CB) {
        const t1 = Math.min(T, t0 + CB);
        g.nt(dO + t0 * E, E, v, Dq, tmp + t0 * T, T, t1 - t0, t1, D, false);
      }
      // dS = scale · P ⊙ (dP − Σ_j P·dP)
      if (g instanceof WasmGemm) g.k.softmax_causal_bwd(P * 4, tmp * 4, T, scale);
      else softmaxCausalBackward(a, P, tmp, T, scale);
      for (let t0 = 0; t0 < T; t0 += CB) {
        const t1 = Math.min(T, t0 + CB);
        // dQ[t0:t1] = dS[t0:t1, 0:t1] · K[0:t1]
        g.xn(tmp + t0 * T, T, 1, k, Dq, dq + t0 * Dq, Dq, t1 - t0, D, t1, false);
        // dK[t0:t1] += dS[t0:T, t0:t1]ᵀ · Q[t0:T];  dV[t0:t1] += P[t0:T, t0:t1]ᵀ · dO[t0:T]
        g.xn(tmp + t0 * T + t0, 1, T, q + t0 * Dq, Dq, dk + t0 * Dq, Dq, t1 - t0, D, T - t0, true);
        g.xn(P + t0 * T + t0, 1, T, dO + t0 * E, E, dv + t0 * Dq, Dq, t1 - t0, D, T - t0, true);
      }
    }
  }
}

/** Backward of softmaxCausal: dP (T×T at `dp`, in place) becomes scale·P ⊙ (dP − Σ_j P·dP), zero above. */
export function softmaxCausalBackward(a: Arr, P: number, dp: number, T: number, scale: number): void {
  for (let t = 0; t < T; t++) {
    const pr = P + t * T;
    const dr = dp + t * T;
    let dot = 0;
    for (let j = 0; j <= t; j++) dot += a[pr + j] * a[dr + j];
    for (let j = 0; j <= t; j++) a[dr + j] = scale * a[pr + j] * (a[dr + j] - dot);
    for (let j = t + 1; j < T; j++) a[dr + j] = 0;
  }
}

/** h = silu(g) · u for rows of gu = [g (F) | u (F)]. */
export function siluMulForward(a: Arr, gu: number, h: number, n: number, F: number): void {
  for (let i = 0; i < n; i++) {
    const gi = gu + i * 2 * F;
    const hi = h + i * F;
    for (let j = 0; j < F; j++) {
      const x = a[gi + j];
      a[hi + j] = (x / (1 + Math.exp(-x))) * a[gi + F + j];
    }
  }
}

/** Backward of silu(g)·u: writes dgu = [dg | du]. */
export function siluMulBackward(a: Arr, gu: number, dh: number, dgu: number, n: number, F: number): void {
  for (let i = 0; i < n; i++) {
    const gi = gu + i * 2 * F;
    const di = dgu + i * 2 * F;
    const hi = dh + i * F;
    for (let j = 0; j < F; j++) {
      const x = a[gi + j];
      const u = a[gi + F + j];
      const sg = 1 / (1 + Math.exp(-x));
      const d = a[hi + j];
      a[di + F + j] = d * x * sg;
      a[di + j] = d * u * sg * (1 + x * (1 - sg));
    }
  }
}

/**
 * Cross-entropy over `n` rows of logits [n, V] against `targets`: returns Σ −log softmax[target] (float64),
 * and, when `gradScale` is given, replaces the logits by (softmax − onehot)·gradScale.
 */
export function crossEntropy(
  a: Arr,
  logits: number,
  targets: ArrayLike<number>,
  t0: number,
  n: number,
  V: number,
  gradScale?: number,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = logits + i * V;
    let mx = -Infinity;
    for (let j = 0; j < V; j++) if (a[r + j] > mx) mx = a[r + j];
    const tgt = targets[t0 + i];
    const zt = a[r + tgt] - mx;
    let sum = 0;
    if (gradScale === undefined) {
      for (let j = 0; j < V; j++) sum += Math.exp(a[r + j] - mx);
    } else {
      // one exp per logit: keep exp(z − max) in place, then scale by 1/sum
      for (let j = 0; j < V; j++) {
        const e = Math.exp(a[r + j] - mx);
        a[r + j] = e;
        sum += e;
      }
      const s = gradScale / sum;
      for (let j = 0; j < V; j++) a[r + j] *= s;
      a[r + tgt] -= gradScale;
    }
    total += Math.log(sum) - zt;
  }
  return total;
}

/**
 * `crossEntropy` on the fused WASM kernel (float32 arena of `g`): same contract; the exponentials are float32.
 * Throws on a target outside [0, V).
 */
export function crossEntropyWasm(
  g: WasmGemm,
  logits: number,
  targets: ArrayLike<number>,
  t0: number,
  n: number,
  V: number,
  gradScale?: number,
): number {
  const a = g.arena;
  const k = g.k;
  const out = g.scratch;
  const o = out >> 2;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = logits + i * V;
    const tgt = targets[t0 + i];
    if (!(tgt >= 0 && tgt < V)) throw new Error(`target ${tgt} at position ${t0 + i} is outside vocab ${V}`);
    const zt = a[r + tgt];
    k.ce_row(r * 4, V, tgt, gradScale ?? 0, gradScale === undefined ? 0 : 1, out);
    total += Math.log(a[o + 1]) - (zt - a[o]);
  }
  return total;
}
