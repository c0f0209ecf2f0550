// The prefill/decode measurement shared by the browser worker and bench/web.ts's Node side (same code, same model).
import type { PocketModel } from '../engine/pocket-model.js';

/** Timings of one run: `prompt` tokens evaluated at once, then `gen` tokens one at a time (greedy). */
export interface BenchRun {
  prefillMs: number;
  decodeMs: number;
}

/** Deterministic pseudo-random prompt ids in [100, nVocab) (seeded LCG), identical in every runtime. */
export function benchPrompt(n: number, nVocab: number, seed = 1): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(100 + (s % Math.max(1, nVocab - 100)));
  }
  return out;
}

/** Runs prefill of `prompt` tokens and `gen` greedy decode steps from a fresh context. */
export function benchOnce(model: PocketModel, prompt: number, gen: number): BenchRun {
  const tokens = benchPrompt(prompt, model.config.nVocab);
  const ctx = model.createContext({ nCtx: prompt + gen + 1 });
  const t0 = performance.now();
  let logits = ctx.eval(tokens, 'last');
  const t1 = performance.now();
  for (let i = 0; i < gen; i++) {
    let best = 0;
    for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
    logits = ctx.eval([best], 'last');
  }
  const t2 = performance.now();
  return { prefillMs: t1 - t0, decodeMs: t2 - t1 };
}

/** Best-of-`runs` tokens/s for prefill and decode (one warm-up run first). */
export function benchModel(model: PocketModel, prompt: number, gen: number, runs: number) {
  benchOnce(model, Math.min(prompt, 8), Math.min(gen, 2));
  const all: BenchRun[] = [];
  for (let r = 0; r < runs; r++) all.push(benchOnce(model, prompt, gen));
  const prefillMs = Math.min(...all.map((r) => r.prefillMs));
  const decodeMs = Math.min(...all.map((r) => r.decodeMs));
  return {
    prefillTokens: prompt,
    prefillTokPerS: (prompt * 1000) / prefillMs,
    decodeTokens: gen,
    decodeTokPerS: (gen * 1000) / decodeMs,
    runs: all,
  };
}
