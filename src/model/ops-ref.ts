// Plain-TS reference ops of the transformer graph (norm, RoPE, softmax, SiLU), written to follow ggml's
// float arithmetic so logits track llama.cpp's closely.
import { F16_TO_F32, fp32ToFp16 } from '../quant/f16.js';

/** y = x / sqrt(mean(x²) + eps) · w, over `n` rows of `dim` (sum in double, scale in float, as ggml). */
export function rmsNorm(
  x: Float32Array,
  w: Float32Array,
  out: Float32Array,
  n: number,
  dim: number,
  eps: number,
): void {
  for (let r = 0; r < n; r++) {
    const o = r * dim;
    let sum = 0;
    for (let i = 0; i < dim; i++) {
      const v = x[o + i]!;
      sum += v * v;
    }
    const mean = Math.fround(sum / dim);
    const scale = Math.fround(1 / Math.fround(Math.sqrt(Math.fround(mean + eps))));
    for (let i = 0; i < dim; i++) out[o + i] = Math.fround(x[o + i]! * scale) * w[i]!;
  }
}

/**
 * Precomputes cos/sin for one position as ggml's rope cache does: theta starts at `pos` and is multiplied
 * by base^(-2/nRot) per pair (in float), divided by the pair's frequency factor when given.
 */
export function ropeCache(
  pos: number,
  nRot: number,
  base: number,
  factors: Float32Array | undefined,
  mscale: number,
  cos: Float32Array,
  sin: Float32Array,
): void {
  const thetaScale = Math.fround(base ** (-2 / nRot));
  let theta = Math.fround(pos);
  for (let i = 0; i < nRot / 2; i++) {
    const ff = factors ? factors[i]! : 1;
    const t = Math.fround(theta / ff);
    cos[i] = Math.fround(Math.cos(t) * mscale);
    sin[i] = Math.fround(Math.sin(t) * mscale);
    theta = Math.fround(theta * thetaScale);
  }
}

/** Rotates `nHeads` heads of `headDim` at `x[off…]` in place; neox pairs (i, i+nRot/2), norm pairs (2i, 2i+1). */
export function applyRope(
  x: Float32Array,
  off: number,
  nHeads: number,
  headDim: number,
  nRot: number,
  neox: boolean,
  cos: Float32Array,
  sin: Float32Array,
): void {
  const half = nRot / 2;
  for (let h = 0; h < nHeads; h++) {
    const b = off + h * headDim;
    for (let i = 0; i < half; i++) {
      const i0 = neox ? b + i : b + 2 * i;
      const i1 = neox ? b + i + half : i0 + 1;
      const x0 = x[i0]!;
      const x1 = x[i1]!;
      const c = cos[i]!;
      const s = sin[i]!;
      x[i0] = Math.fround(x0 * c) - Math.fround(x1 * s);
      x[i1] = Math.fround(x0 * s) + Math.fround(x1 * c);
    }
  }
}

/** In-place softmax of x[off, off+n) (max-subtracted, sum in double). */
export function softmax(x: Float32Array, off: number, n: number): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (x[off + i]! > max) max = x[off + i]!;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.fround(Math.exp(Math.fround(x[off + i]! - max)));
    x[off + i] = e;
    sum += e;
  }
  const inv = Math.fround(1 / sum);
  for (let i = 0; i < n; i++) x[off + i] = Math.fround(x[off + i]! * inv);
}

/** out[r, i] = silu(gu[r, i]) · gu[r, nFf + i] for the fused gate|up layout (gate rows first). */
export function siluMulFused(gu: Float32Array, out: Float32Array, n: number, nFf: number): void {
  for (let r = 0; r < n; r++) {
    const g0 = r * 2 * nFf;
    const o = r * nFf;
    for (let i = 0; i < nFf; i++) {
      const g = gu[g0 + i]!;
      const silu = Math.fround(g / Math.fround(1 + Math.fround(Math.exp(-g))));
      out[o + i] = Math.fround(silu * gu[g0 + nFf + i]!);
    }
  }
}

/** out[i] = silu(gate[i]) · up[i] (separate gate and up, llama layout). */
export function siluMul(gate: Float32Array, up: Float32Array, out: Float32Array, len: number): void {
  for (let i = 0; i < len; i++) {
    const g = gate[i]!;
    const silu = Math.fround(g / Math.fround(1 + Math.fround(Math.exp(-g))));
    out[i] = Math.fround(silu * up[i]!);
  }
}

/** f32 → nearest f16 → f32 (round half to even, as ggml), for emulating llama.cpp's f16 KV cache and operands. */
export function roundToF16(v: number): number {
  return F16_TO_F32[fp32ToFp16(v)]!;
}
