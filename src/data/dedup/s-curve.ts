// Measure MinHash-LSH detection rate on synthetic near-duplicate pairs against the theoretical S-curve.
import { seededRandom } from '../synthetic-web.js';
import {
  bandKeys,
  lshProbability,
  MINHASH_DEFAULTS,
  type MinHashOptions,
  minHasher,
  shingleHashes,
  signature,
} from './minhash.js';

/** One Jaccard level: the mean exact Jaccard of its pairs, detection rate measured vs expected. */
export interface SCurvePoint {
  target: number;
  pairs: number;
  mean_jaccard: number;
  detected: number;
  expected: number;
}

function words(r: () => number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let w = '';
    const len = 4 + Math.floor(r() * 5);
    for (let j = 0; j < len; j++) w += String.fromCharCode(97 + Math.floor(r() * 26));
    out.push(w);
  }
  return out;
}

/** Exact Jaccard similarity of the shingle sets of two texts. */
export function exactJaccard(a: string, b: string, n: number): number {
  const sa = new Set(shingleHashes(a, n));
  const sb = new Set(shingleHashes(b, n));
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return inter / (sa.size + sb.size - inter);
}

/**
 * For each target similarity, make `pairs` document pairs (N words; evenly spaced words replaced so the shingle
 * Jaccard lands near the target), measure how many share an LSH band, and compare with the mean of
 * 1 − (1 − J^r)^b over the pairs' exact Jaccard values.
 */
export function measureSCurve(
  targets: number[],
  pairs: number,
  opts: MinHashOptions = MINHASH_DEFAULTS,
  nWords = 300,
  seed = 1,
): SCurvePoint[] {
  const h = minHasher(opts);
  const r = seededRandom(seed);
  const m = nWords - opts.ngram + 1;
  return targets.map((s) => {
    const k = Math.max(1, Math.round((m * (1 - s)) / (1 + s) / opts.ngram));
    let detected = 0;
    let jSum = 0;
    let expected = 0;
    for (let p = 0; p < pairs; p++) {
      const a = words(r, nWords);
      const b = [...a];
      const step = nWords / k;
      for (let i = 0; i < k; i++)
        b[Math.min(nWords - 1, Math.floor(i * step + r() * (step - 1)))] = `zz${p}x${i}`;
      const ta = a.join(' ');
      const tb = b.join(' ');
      const j = exactJaccard(ta, tb, opts.ngram);
      jSum += j;
      expected += lshProbability(j, opts.bands, opts.rows);
      const ka = bandKeys(h, signature(h, ta));
      const kb = bandKeys(h, signature(h, tb));
      let hit = false;
      for (let band = 0; band < opts.bands && !hit; band++)
        hit = ka[2 * band] === kb[2 * band] && ka[2 * band + 1] === kb[2 * band + 1];
      if (hit) detected++;
    }
    return {
      target: s,
      pairs,
      mean_jaccard: jSum / pairs,
      detected: detected / pairs,
      expected: expected / pairs,
    };
  });
}
