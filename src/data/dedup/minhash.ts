// MinHash signatures over word n-gram shingles and LSH band keys (fast 32-bit hashing in plain TS).
import { fnv1a, mix32 } from '../text.js';

/** MinHash/LSH settings (defaults: word 5-grams, 14 bands × 8 rows ≈ 0.75 Jaccard threshold). */
export interface MinHashOptions {
  ngram: number;
  bands: number;
  rows: number;
  seed: number;
}

export const MINHASH_DEFAULTS: MinHashOptions = { ngram: 5, bands: 14, rows: 8, seed: 1 };

/** Precomputed per-hash-function constants. */
export interface MinHasher {
  opts: MinHashOptions;
  a: Uint32Array;
  b: Uint32Array;
}

/** Build a hasher with `bands × rows` hash functions derived from `seed`. */
export function minHasher(opts: MinHashOptions = MINHASH_DEFAULTS): MinHasher {
  const k = opts.bands * opts.rows;
  const a = new Uint32Array(k);
  const b = new Uint32Array(k);
  let s = mix32(opts.seed ^ 0x5bd1e995);
  for (let i = 0; i < k; i++) {
    s = mix32(s + 0x9e3779b9);
    a[i] = s | 1;
    s = mix32(s + 0x9e3779b9);
    b[i] = s;
  }
  return { opts, a, b };
}

/** Words for shingling: lowercase, letters/digits only. */
export function shingleWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** Hashes of the word n-gram shingles of `text` (a doc shorter than n words gives one shingle of all words). */
export function shingleHashes(text: string, n: number): Uint32Array {
  const words = shingleWords(text);
  const wh = new Uint32Array(words.length);
  for (let i = 0; i < words.length; i++) wh[i] = fnv1a(words[i] as string);
  const count = Math.max(1, words.length - n + 1);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    let h = 0x2545f491 ^ n;
    const end = Math.min(words.length, i + n);
    for (let j = i; j < end; j++) h = Math.imul(h ^ (wh[j] as number), 0x01000193) + 0x7f4a7c15;
    out[i] = mix32(h);
  }
  return out;
}

/** MinHash signature: for each of `bands × rows` hash functions, the minimum over shingles. */
export function signature(h: MinHasher, text: string): Uint32Array {
  const u = shingleHashes(text, h.opts.ngram);
  const sh = new Int32Array(u.buffer, u.byteOffset, u.length); // int32 views keep V8 on small-integer paths
  const k = h.a.length;
  // minimum taken in signed order (any fixed total order gives a valid min-hash); stored as u32 bits.
  // Outer loop over hash functions keeps a_i, b_i and the running minimum in registers.
  const sig = new Int32Array(k);
  const a = new Int32Array(h.a.buffer);
  const b = new Int32Array(h.b.buffer);
  const ns = sh.length;
  for (let i = 0; i < k; i++) {
    const ai = a[i] as number;
    const bi = b[i] as number;
    let m = 0x7fffffff;
    for (let s = 0; s < ns; s++) {
      let v = Math.imul((sh[s] as number) ^ bi, ai);
      v ^= v >>> 15;
      if (v < m) m = v;
    }
    sig[i] = m;
  }
  return new Uint32Array(sig.buffer);
}

/** Two 32-bit keys per band (a 64-bit bucket id), so unrelated documents practically never share a bucket. */
export function bandKeys(h: MinHasher, sig: Uint32Array): Uint32Array {
  const { bands, rows } = h.opts;
  const out = new Uint32Array(bands * 2);
  for (let band = 0; band < bands; band++) {
    let x = 0x811c9dc5 ^ band;
    let y = 0x1b873593 ^ band;
    for (let r = 0; r < rows; r++) {
      const v = sig[band * rows + r] as number;
      x = mix32(x ^ v);
      y = mix32(Math.imul(y, 0x85ebca6b) ^ v ^ 0x68e31da4);
    }
    out[band * 2] = x;
    out[band * 2 + 1] = y;
  }
  return out;
}

/** Fraction of equal signature entries (estimates Jaccard similarity of the shingle sets). */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}

/** Probability that two docs with Jaccard s share at least one band: 1 − (1 − s^r)^b. */
export function lshProbability(s: number, bands: number, rows: number): number {
  return 1 - (1 - s ** rows) ** bands;
}
