// Learning-rate schedules: linear warmup + cosine decay, and warmup-stable-decay (WSD).

/** Schedule settings; `decayStart` (WSD) is the step where decay begins (e.g. the start of data phase 2). */
export interface ScheduleConfig {
  kind: 'cosine' | 'wsd' | 'constant';
  lr: number;
  minLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** WSD: first step of the decay (defaults to 80 % of totalSteps). */
  decayStart?: number;
}

/** Learning rate at `step` (0-based; the rate used for the update that produces step + 1). */
export function learningRate(c: ScheduleConfig, step: number): number {
  if (c.warmupSteps > 0 && step < c.warmupSteps) return (c.lr * (step + 1)) / c.warmupSteps;
  if (c.kind === 'constant') return c.lr;
  if (c.kind === 'cosine') {
    const span = Math.max(1, c.totalSteps - c.warmupSteps);
    const p = Math.min(1, (step - c.warmupSteps) / span);
    return c.minLr + 0.5 * (c.lr - c.minLr) * (1 + Math.cos(Math.PI * p));
  }
  const start = Math.max(c.warmupSteps, c.decayStart ?? Math.floor(0.8 * c.totalSteps));
  if (step < start) return c.lr;
  const span = Math.max(1, c.totalSteps - start);
  const p = Math.min(1, (step - start) / span);
  // linear decay to minLr over the decay window
  return c.lr + (c.minLr - c.lr) * p;
}
