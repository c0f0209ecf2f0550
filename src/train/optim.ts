// AdamW with decoupled weight decay, global-norm gradient clipping, and per-tensor decay masks.
import { type Arr, kernelsFor } from './gemm.js';
import type { ParamTensor } from './model.js';

/** AdamW hyperparameters. */
export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Apply weight decay to norms and embeddings too (default: matrices only). */
  decayAll?: boolean;
}

/** Where AdamW keeps its moments and decay mask (TrainModel.adamState() places them in the wasm memory). */
export interface AdamWState {
  m: Float32Array;
  v: Float32Array;
  mask: Uint8Array;
}

/** AdamW state: first and second moments and the step count (all saved in checkpoints). */
export class AdamW {
  m: Float32Array;
  v: Float32Array;
  t = 0;
  private decay: Uint8Array;
  /**
   * `state` (optional, zero-filled, n elements each) holds the moments and mask; when they share the wasm memory
   * of the float32 parameters the update runs as one fused WASM loop (float32 arithmetic), else in TypeScript.
   */
  constructor(
    readonly cfg: AdamWConfig,
    tensors: ParamTensor[],
    n: number,
    state?: AdamWState,
  ) {
    if (state && (state.m.length !== n || state.v.length !== n || state.mask.length !== n))
      throw new Error(`AdamW: state arrays must hold ${n} elements`);
    this.m = state?.m ?? new Float32Array(n);
    this.v = state?.v ?? new Float32Array(n);
    this.decay = state?.mask ?? new Uint8Array(n);
    this.m.fill(0);
    this.v.fill(0);
    this.decay.fill(0);
    for (const t of tensors) {
      if (cfg.decayAll || t.kind === 'matrix') this.decay.fill(1, t.offset, t.offset + t.size);
    }
  }

  /** One update of `params` from `grads` at learning rate `lr` (bias-corrected, decoupled decay). */
  step(params: Arr, grads: Arr, lr: number): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd } = this.cfg;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const m = this.m;
    const v = this.v;
    const dec = this.decay;
    const n = m.length;
    const k = kernelsFor(params);
    if (
      k &&
      params.length === n &&
      params.buffer === grads.buffer &&
      params.buffer === m.buffer &&
      params.buffer === v.buffer &&
      params.buffer === dec.buffer &&
      kernelsFor(grads) &&
      kernelsFor(m) &&
      kernelsFor(v)
    ) {
      k.adamw(
        params.byteOffset,
        grads.byteOffset,
        m.byteOffset,
        v.byteOffset,
        dec.byteOffset,
        n,
        lr,
        b1,
        b2,
        c1,
        c2,
        eps,
        wd,
      );
      return;
    }
    for (let i = 0; i < n; i++) {
      const g = grads[i];
      const mi = b1 * m[i] + (1 - b1) * g;
      const vi = b2 * v[i] + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      let p = params[i];
      if (dec[i]) p -= lr * wd * p;
      params[i] = p - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
  }
}

/** Global L2 norm of the gradients. */
export function gradNorm(grads: Arr): number {
  const k = kernelsFor(grads);
  if (k) return Math.sqrt(k.sumsq(grads.byteOffset, grads.length));
  let s = 0;
  for (let i = 0; i < grads.length; i++) s += grads[i] * grads[i];
  return Math.sqrt(s);
}

/** Scales gradients so their global norm is at most `maxNorm` (no-op when maxNorm ≤ 0); returns the norm before. */
export function clipGradNorm(grads: Arr, maxNorm: number): number {
  const norm = gradNorm(grads);
  if (maxNorm > 0 && norm > maxNorm) {
    const s = maxNorm / (norm + 1e-6);
    const k = kernelsFor(grads);
    if (k) k.scale(grads.byteOffset, grads.length, s);
    else for (let i = 0; i < grads.length; i++) grads[i] *= s;
  }
  return norm;
}
