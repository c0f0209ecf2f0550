// The embedding interface and the built-in deterministic feature-hashing embedder (offline fallback, tests).

/** Turns texts into fixed-size vectors. Implementations: HashingEmbedder (here), BERT GGUF (runtime). */
export interface Embedder {
  /** Vector length. */
  readonly dim: number;
  /** Stable identifier of model + settings; a knowledge base refuses vectors from a different id. */
  readonly id: string;
  /** Embeds a batch; each result has length `dim`. Need not be normalized (the store normalizes). */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Cosine from which a chunk counts as relevant evidence for this embedder (the gate's default; 0.5 if absent). */
  readonly minCosine?: number;
}

/** Options of the hashing embedder. */
export interface HashingEmbedderOptions {
  /** Vector length (default 384). */
  dim?: number;
  /** Character n-gram sizes taken inside each word (default [3, 4]); [] disables them. */
  charNgrams?: number[];
  /** Weight of word bigrams relative to words (default 0.5). */
  bigramWeight?: number;
  /** Total weight of a word's character n-grams relative to the word itself (default 1). */
  charWeight?: number;
}

const STOP = new Set(
  'a an and are as at be by for from has have had in is it its of on or that the this to was were will with what which who whom whose when where why how does did do many much name named called there their they them he she his her into than then can could would should any some'.split(
    ' ',
  ),
);

/** Lower-cased word tokens with stop words removed (shared by the hashing embedder and query analysis). */
export function contentWords(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) if (!STOP.has(m[0])) out.push(m[0]);
  return out;
}

/** FNV-1a 32-bit hash of a string (UTF-16 code units). */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Scales `v` in place to unit L2 norm (zero vectors stay zero). Returns `v`. */
export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}

/**
 * Deterministic "bag of features" embedder: words, word bigrams and character n-grams of words, hashed
 * (signed) into `dim` buckets with sub-linear term frequency, L2-normalized. No model, no randomness:
 * the same text gives the same vector everywhere. It captures lexical and morphological overlap
 * (plural/inflection, compounds, typos), not meaning — a real embedder does that.
 */
export class HashingEmbedder implements Embedder {
  readonly dim: number;
  readonly id: string;
  /** Tuned on examples/qa (see docs/rag.md). */
  readonly minCosine = 0.5;
  private readonly grams: number[];
  private readonly bigramWeight: number;
  private readonly charWeight: number;

  constructor(opts: HashingEmbedderOptions = {}) {
    this.dim = opts.dim ?? 384;
    this.grams = opts.charNgrams ?? [3, 4];
    this.bigramWeight = opts.bigramWeight ?? 0.5;
    this.charWeight = opts.charWeight ?? 1;
    if (!Number.isInteger(this.dim) || this.dim < 8)
      throw new Error(`HashingEmbedder: dim must be an integer ≥ 8, got ${this.dim}`);
    this.id = `hashing-v1:d${this.dim}:c${this.grams.join('.')}:b${this.bigramWeight}:w${this.charWeight}`;
  }

  /** Embeds one text synchronously. */
  embedOne(text: string): Float32Array {
    const feats = new Map<string, number>();
    const add = (f: string, w: number) => feats.set(f, (feats.get(f) ?? 0) + w);
    const words = contentWords(text);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      add(`w:${w}`, 1);
      if (i > 0 && this.bigramWeight > 0) add(`b:${words[i - 1]}_${w}`, this.bigramWeight);
      if (this.grams.length > 0 && this.charWeight > 0) {
        const padded = `<${w}>`;
        let count = 0;
        for (const n of this.grams) count += Math.max(0, padded.length - n + 1);
        if (count === 0) continue;
        const cw = this.charWeight / Math.sqrt(count);
        for (const n of this.grams)
          for (let j = 0; j + n <= padded.length; j++) add(`c:${padded.slice(j, j + n)}`, cw);
      }
    }
    const v = new Float32Array(this.dim);
    for (const [f, tf] of feats) {
      const h = fnv1a(f);
      const sign = h & 0x80000000 ? -1 : 1;
      v[h % this.dim]! += sign * (tf <= 1 ? tf : 1 + Math.log(tf));
    }
    return l2normalize(v);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }
}
export { loadGgufEmbedder } from './gguf-embedder.js';
