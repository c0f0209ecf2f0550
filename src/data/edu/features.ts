// Hashed word unigram + bigram features (2^18 buckets, log-TF, L2-normalised) for the educational-value classifier.
import { fnv1a, mix32 } from '../text.js';

/** A sparse feature vector: bucket indices and values. */
export interface Sparse {
  idx: Uint32Array;
  val: Float32Array;
}

/** Featurise text into `2^bits` hashed buckets (unigrams and bigrams of lowercased words). */
export function featurize(text: string, bits = 18, maxWords = 2000): Sparse {
  const mask = (1 << bits) - 1;
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const n = Math.min(words.length, maxWords);
  const counts = new Map<number, number>();
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const h = fnv1a(words[i] as string);
    const u = h & mask;
    counts.set(u, (counts.get(u) ?? 0) + 1);
    if (i > 0) {
      const b = mix32(prev * 31 + h) & mask;
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    prev = h;
  }
  const idx = new Uint32Array(counts.size + 1);
  const val = new Float32Array(counts.size + 1);
  let k = 0;
  let norm = 0;
  for (const [i, c] of counts) {
    const v = Math.log1p(c);
    idx[k] = i;
    val[k] = v;
    norm += v * v;
    k++;
  }
  norm = Math.sqrt(norm) || 1;
  for (let j = 0; j < k; j++) val[j] = (val[j] as number) / norm;
  // a length feature in the last bucket helps separate stubs from substantive pages
  idx[k] = mask;
  val[k] = Math.min(1, Math.log1p(n) / 8);
  return { idx, val };
}
