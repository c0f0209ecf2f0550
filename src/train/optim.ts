// AdamW with decoupled weight decay, global-norm gradient clipping, and per-tensor decay masks.
import type { Arr } from './gemm.js';
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

/** AdamW state: first and second moments and the step count (all saved in checkpoints). */
export class AdamW {
  m: Float32Array;
  v: Float32Array;
  t = 0;
  private decay: Uint8Array;
  constructor(
    readonly cfg: AdamWConfig,
    tensors: ParamTensor[],
    n: number,
  ) {
    this.m = new Float32Array(n);
    this.v = new Float32Array(n);
    this.decay = new Uint8Array(n);
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
  let s = 0;
  for (let i = 0; i < grads.length; i++) s += grads[i] * grads[i];
  return Math.sqrt(s);
}

/** Scales gradients so their global norm is at most `maxNorm` (no-op when maxNorm ≤ 0); returns the norm before. */
export function clipGradNorm(grads: Arr, maxNorm: number): number {
  const norm = gradNorm(grads);
  if (maxNorm > 0 && norm > maxNorm) {
    const s = maxNorm / (norm + 1e-6);
    for (let i = 0; i < grads.length; i++) grads[i] *= s;
  }
  return norm;
}
