// The sampler: a chain of small steps over candidate tokens (penalties → top-k → top-p → min-p →
// temperature → draw), with an explicit seeded RNG so the same seed gives the same text.

/** Sampling settings. Temperature 0 (or ≤ 0) means greedy (argmax). */
export interface SamplerOptions {
  temperature?: number;
  topK?: number;
  topP?: number;
  minP?: number;
  /** Multiplicative penalty for tokens seen in the last `penaltyLastN` tokens (1 = off). */
  repeatPenalty?: number;
  /** Subtracted per occurrence (OpenAI's frequency_penalty). */
  frequencyPenalty?: number;
  /** Subtracted once if present (OpenAI's presence_penalty). */
  presencePenalty?: number;
  /** How many recent tokens penalties look at (default 64; -1 = all). */
  penaltyLastN?: number;
  seed?: number;
}

/** Resolved defaults (llama.cpp's common defaults). */
export const DEFAULT_SAMPLER: Required<Omit<SamplerOptions, 'seed'>> = {
  temperature: 0.8,
  topK: 40,
  topP: 0.95,
  minP: 0.05,
  repeatPenalty: 1,
  frequencyPenalty: 0,
  presencePenalty: 0,
  penaltyLastN: 64,
};

/** xoshiro128** — small, fast, seedable; identical results on every platform. */
export class Rng {
  private s = new Uint32Array(4);
  constructor(seed: number) {
    // splitmix32 to spread the seed over the state
    let z = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b) >>> 0;
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (t ^ (t >>> 16)) >>> 0;
    }
  }
  /** Uniform in [0, 1). */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Index of the largest logit (first on ties, as llama.cpp's greedy sampler). */
export function argmax(logits: ArrayLike<number>, allowed?: (id: number) => boolean): number {
  let best = -1;
  let bestV = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > bestV && (!allowed || allowed(i))) {
      bestV = v;
      best = i;
    }
  }
  if (best < 0) throw new Error('sampler: no token is allowed');
  return best;
}

/** Applies repeat/frequency/presence penalties in place (llama.cpp's penalties sampler). */
export function applyPenalties(logits: Float32Array, recent: ArrayLike<number>, o: SamplerOptions): void {
  const rep = o.repeatPenalty ?? 1;
  const freq = o.frequencyPenalty ?? 0;
  const pres = o.presencePenalty ?? 0;
  if (rep === 1 && freq === 0 && pres === 0) return;
  const lastN = o.penaltyLastN ?? DEFAULT_SAMPLER.penaltyLastN;
  const from = lastN < 0 ? 0 : Math.max(0, recent.length - lastN);
  const counts = new Map<number, number>();
  for (let i = from; i < recent.length; i++) counts.set(recent[i]!, (counts.get(recent[i]!) ?? 0) + 1);
  for (const [id, count] of counts) {
    if (id < 0 || id >= logits.length) continue;
    let v = logits[id]!;
    if (rep !== 1) v = v <= 0 ? v * rep : v / rep;
    v -= count * freq + (count > 0 ? pres : 0);
    logits[id] = v;
  }
}

/**
 * Reusable sampler; all buffers are allocated once, so sampling a token allocates nothing.
 */
export class Sampler {
  readonly options: SamplerOptions;
  private readonly rng: Rng;
  private work: Float32Array;
  private ids: Int32Array;
  private probs: Float64Array;

  constructor(nVocab: number, options: SamplerOptions = {}) {
    this.options = options;
    this.rng = new Rng(options.seed ?? (Math.random() * 2 ** 32) >>> 0);
    this.work = new Float32Array(nVocab);
    this.ids = new Int32Array(nVocab);
    this.probs = new Float64Array(nVocab);
  }

  /** Picks the next token. `recent` feeds the penalties; `allowed` (grammar) masks tokens out. */
  sample(logits: Float32Array, recent: ArrayLike<number> = [], allowed?: (id: number) => boolean): number {
    const o = this.options;
    if (this.work.length !== logits.length) {
      this.work = new Float32Array(logits.length);
      this.ids = new Int32Array(logits.length);
      this.probs = new Float64Array(logits.length);
    }
    const w = this.work;
    w.set(logits);
    applyPenalties(w, recent, o);
    const temp = o.temperature ?? DEFAULT_SAMPLER.temperature;
    if (temp <= 0) return argmax(w, allowed);

    const topK = o.topK ?? DEFAULT_SAMPLER.topK;
    let n = selectTop(w, this.ids, topK, allowed);
    if (n === 0) throw new Error('sampler: no token is allowed');
    const ids = this.ids;
    const probs = this.probs;
    // p-filters on the distribution at temperature 1, as llama.cpp's default chain orders them.
    softmaxInto(ids, n, w, 1, probs);
    const topP = o.topP ?? DEFAULT_SAMPLER.topP;
    if (topP < 1) {
      let cum = 0;
      for (let i = 0; i < n; i++) {
        cum += probs[i]!;
        if (cum >= topP) {
          n = i + 1;
          break;
        }
      }
    }
    const minP = o.minP ?? DEFAULT_SAMPLER.minP;
    if (minP > 0) {
      const threshold = probs[0]! * minP;
      let m = 1;
      while (m < n && probs[m]! >= threshold) m++;
      n = m;
    }
    softmaxInto(ids, n, w, temp, probs);
    let r = this.rng.next();
    for (let i = 0; i < n; i++) {
      r -= probs[i]!;
      if (r < 0) return ids[i]!;
    }
    return ids[n - 1]!;
  }
}

/**
 * Writes the ids of the `k` largest allowed finite logits into ids[0..) in descending order (all of them
 * when k ≤ 0) and returns how many. A min-heap keeps selection at O(V log k).
 */
function selectTop(w: Float32Array, ids: Int32Array, k: number, allowed?: (id: number) => boolean): number {
  const byDesc = (a: number, b: number) => w[b]! - w[a]! || a - b;
  if (k <= 0 || k >= w.length) {
    let n = 0;
    for (let i = 0; i < w.length; i++) {
      if (w[i] === Number.NEGATIVE_INFINITY || (allowed && !allowed(i))) continue;
      ids[n] = i;
      n++;
    }
    ids.subarray(0, n).sort(byDesc);
    return n;
  }
  let size = 0;
  const less = (a: number, b: number) => w[a]! < w[b]! || (w[a] === w[b] && a > b);
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && less(ids[l]!, ids[m]!)) m = l;
      if (r < size && less(ids[r]!, ids[m]!)) m = r;
      if (m === i) return;
      const t = ids[i]!;
      ids[i] = ids[m]!;
      ids[m] = t;
      i = m;
    }
  };
  for (let id = 0; id < w.length; id++) {
    if (w[id] === Number.NEGATIVE_INFINITY || (allowed && !allowed(id))) continue;
    if (size < k) {
      let i = size;
      ids[size] = id;
      size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!less(ids[i]!, ids[p]!)) break;
        const t = ids[i]!;
        ids[i] = ids[p]!;
        ids[p] = t;
        i = p;
      }
    } else if (less(ids[0]!, id)) {
      ids[0] = id;
      siftDown(0);
    }
  }
  ids.subarray(0, size).sort(byDesc);
  return size;
}

/** probs[i] = softmax(logits[ids[i]] / temp) over the first n ids (ids sorted descending). */
function softmaxInto(
  ids: Int32Array,
  n: number,
  logits: Float32Array,
  temp: number,
  probs: Float64Array,
): void {
  const max = logits[ids[0]!]! / temp;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(logits[ids[i]!]! / temp - max);
    probs[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) probs[i]! /= sum;
}
