// Batches the per-token decode steps of concurrent generations on one model into shared forward passes.
import type { BatchDecoder, InferenceContext } from '../model/transformer.js';

/** What `generate` calls for each decode step when given a scheduler. */
export interface DecodeStep {
  decode(ctx: InferenceContext, token: number): Promise<Float32Array>;
}

interface Pending {
  ctx: InferenceContext;
  token: number;
  resolve: (logits: Float32Array) => void;
  reject: (e: unknown) => void;
}

// Runs after the generations that are ready have all asked for their next step (I/O callbacks included).
const later: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => setImmediate(fn) : (fn) => setTimeout(fn, 0);

/**
 * Collects decode steps asked for in the same turn of the event loop and runs them as one batch (up to the
 * decoder's maxBatch sequences per forward pass): weights are streamed once per pass instead of once per
 * sequence, so N concurrent generations cost much less than N times one. A step that cannot run (context
 * full, bad token) fails alone; the others go on.
 */
export class DecodeScheduler implements DecodeStep {
  private queue: Pending[] = [];
  private scheduled = false;
  /** Forward passes run and sequences decoded in them (for stats: mean batch = steps / passes). */
  passes = 0;
  steps = 0;

  constructor(private readonly decoder: BatchDecoder) {}

  decode(ctx: InferenceContext, token: number): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ctx, token, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        later(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const seen = new Set<InferenceContext>();
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.queue) {
      if (batch.length < this.decoder.maxBatch && !seen.has(p.ctx)) {
        seen.add(p.ctx);
        batch.push(p);
      } else rest.push(p);
    }
    this.queue = rest;
    if (rest.length > 0) {
      this.scheduled = true;
      later(() => this.flush());
    }
    const ok = batch.filter((p) => {
      if (p.ctx.nPast + 1 > p.ctx.nCtx) {
        p.reject(new Error(`context full: ${p.ctx.nCtx} positions`));
        return false;
      }
      return true;
    });
    if (ok.length === 0) return;
    try {
      const logits = this.decoder.decode(
        ok.map((p) => p.ctx),
        ok.map((p) => p.token),
      );
      this.passes++;
      this.steps += ok.length;
      for (let i = 0; i < ok.length; i++) ok[i]!.resolve(logits[i]!);
    } catch (e) {
      for (const p of ok) p.reject(e);
    }
  }
}
