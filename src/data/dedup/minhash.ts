// MinHash signatures over word n-gram shingles and LSH band keys (fast 32-bit hashing in plain TS).
import { fnv1a, mix32 } from '../text.js';
import { simdAvailable, simdSignature } from './minhash-wasm.js';

/** MinHash/LSH settings (defaults: word 5-grams, 14 bands × 8 rows ≈ 0.75 Jaccard threshold). */
export interface MinHashOptions {
  ngram: number;
  bands: number;
  rows: number;
  seed: number;
  /**
   * Candidate verification: two documents that share an LSH band bucket are merged only when their signatures
   * agree on at least this fraction of the `bands × rows` hash functions (their estimated Jaccard similarity).
   * 0 (the default) merges every bucket match, so removal follows the LSH S-curve alone.
   */
  min_jaccard?: number;
}

export const MINHASH_DEFAULTS: MinHashOptions = { ngram: 5, bands: 14, rows: 8, seed: 1, min_jaccard: 0 };

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

let wordBuf = new Uint32Array(1024);
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * FNV-1a hashes of the shingling words of `text` (see shingleWords) into a reused buffer; returns the count.
 * ASCII text is scanned in place (letters lowercased, digits kept, everything else separates words); other
 * text goes through shingleWords so Unicode lowercasing and letter/number classes are exactly the same.
 */
function wordHashes(text: string): number {
  if (NON_ASCII.test(text)) {
    const words = shingleWords(text);
    if (wordBuf.length < words.length) wordBuf = new Uint32Array(words.length * 2);
    for (let i = 0; i < words.length; i++) wordBuf[i] = fnv1a(words[i] as string);
    return words.length;
  }
  const n = text.length;
  if (wordBuf.length < (n >> 1) + 1) wordBuf = new Uint32Array(n + 1);
  const out = wordBuf;
  let count = 0;
  let h = 0;
  let inWord = false;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    const l = c | 32;
    if (l >= 97 && l <= 122) c = l;
    else if (c < 48 || c > 57) {
      if (inWord) {
        out[count++] = h >>> 0;
        inWord = false;
      }
      continue;
    }
    if (!inWord) {
      h = 0x811c9dc5;
      inWord = true;
    }
    h = Math.imul(h ^ c, 0x01000193);
  }
  if (inWord) out[count++] = h >>> 0;
  return count;
}

let shingleBuf = new Uint32Array(1024);

/** Shingle hashes into a reused buffer; returns the count (≥ 1). */
function shingleInto(text: string, n: number): number {
  const nw = wordHashes(text);
  const wh = wordBuf;
  const count = Math.max(1, nw - n + 1);
  if (shingleBuf.length < count) shingleBuf = new Uint32Array(count * 2);
  const out = shingleBuf;
  for (let i = 0; i < count; i++) {
    let h = 0x2545f491 ^ n;
    const end = Math.min(nw, i + n);
    for (let j = i; j < end; j++) h = Math.imul(h ^ (wh[j] as number), 0x01000193) + 0x7f4a7c15;
    out[i] = mix32(h);
  }
  return count;
}

/** Hashes of the word n-gram shingles of `text` (a doc shorter than n words gives one shingle of all words). */
export function shingleHashes(text: string, n: number): Uint32Array {
  const count = shingleInto(text, n);
  return shingleBuf.slice(0, count);
}

/** MinHash signature: for each of `bands × rows` hash functions, the minimum over shingles. */
export function signature(h: MinHasher, text: string): Uint32Array {
  const ns = shingleInto(text, h.opts.ngram);
  const sh = new Int32Array(shingleBuf.buffer, 0, ns); // int32 views keep V8 on small-integer paths
  const k = h.a.length;
  // minimum taken in signed order (any fixed total order gives a valid min-hash); stored as u32 bits.
  // Four hash functions per pass over the shingles keep their constants and running minima in registers.
  const sig = new Int32Array(k);
  if (simdAvailable(k)) {
    simdSignature(h.a, h.b, shingleBuf, ns, sig);
    return new Uint32Array(sig.buffer);
  }
  const a = new Int32Array(h.a.buffer);
  const b = new Int32Array(h.b.buffer);
  let i = 0;
  for (; i + 4 <= k; i += 4) {
    const a0 = a[i] as number;
    const a1 = a[i + 1] as number;
    const a2 = a[i + 2] as number;
    const a3 = a[i + 3] as number;
    const b0 = b[i] as number;
    const b1 = b[i + 1] as number;
    const b2 = b[i + 2] as number;
    const b3 = b[i + 3] as number;
    let m0 = 0x7fffffff;
    let m1 = 0x7fffffff;
    let m2 = 0x7fffffff;
    let m3 = 0x7fffffff;
    for (let s = 0; s < ns; s++) {
      const x = sh[s] as number;
      let v0 = Math.imul(x ^ b0, a0);
      let v1 = Math.imul(x ^ b1, a1);
      let v2 = Math.imul(x ^ b2, a2);
      let v3 = Math.imul(x ^ b3, a3);
      v0 ^= v0 >>> 15;
      v1 ^= v1 >>> 15;
      v2 ^= v2 >>> 15;
      v3 ^= v3 >>> 15;
      if (v0 < m0) m0 = v0;
      if (v1 < m1) m1 = v1;
      if (v2 < m2) m2 = v2;
      if (v3 < m3) m3 = v3;
    }
    sig[i] = m0;
    sig[i + 1] = m1;
    sig[i + 2] = m2;
    sig[i + 3] = m3;
  }
  for (; i < k; i++) {
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
