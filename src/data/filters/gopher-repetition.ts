// Gopher repetition filter (Rae et al. 2021, datatrove defaults): duplicated lines/paragraphs and repeated n-grams.
import { type Document, type Filter, type FilterResult, settings } from '../document.js';
import { PairCounter, SpanSet } from '../hash-table.js';
import {
  analyzeWords,
  duplicateLines,
  duplicateParagraphs,
  mix32,
  ngramChars,
  rollingNgramKeys,
  type WordHashes,
} from '../text.js';

/** Settings of the Gopher repetition filter; `null` disables a rule. Pairs are `[n, max_fraction]`. */
export interface GopherRepetitionOptions {
  dup_line_frac: number | null;
  dup_para_frac: number | null;
  dup_line_char_frac: number | null;
  dup_para_char_frac: number | null;
  top_n_grams: [number, number][];
  dup_n_grams: [number, number][];
}

export const GOPHER_REPETITION_DEFAULTS: GopherRepetitionOptions = {
  dup_line_frac: 0.3,
  dup_para_frac: 0.3,
  dup_line_char_frac: 0.2,
  dup_para_char_frac: 0.2,
  top_n_grams: [
    [2, 0.2],
    [3, 0.18],
    [4, 0.16],
  ],
  dup_n_grams: [
    [5, 0.15],
    [6, 0.14],
    [7, 0.13],
    [8, 0.12],
    [9, 0.11],
    [10, 0.1],
  ],
};

/** Create the Gopher repetition filter. Reasons: dup_para_frac, dup_line_char_frac, top_2_gram, duplicated_5_n_grams, … */
export function gopherRepetition(options?: unknown): Filter {
  const o = settings(GOPHER_REPETITION_DEFAULTS, options, 'stage gopher_repetition');
  const table = new PairCounter();
  const spans = new SpanSet();
  let ka = new Uint32Array(1024);
  let kb = new Uint32Array(1024);
  let wh: WordHashes = { a: new Uint32Array(1024), b: new Uint32Array(1024), len: new Uint32Array(1024) };
  let covered = new Uint8Array(1024);
  let counts = new Int32Array(1024);
  let prefix = new Float64Array(1025);
  const topSorted = isSortedAscending(o.top_n_grams);
  const dupSorted = isSortedAscending(o.dup_n_grams);
  // the smallest n among dup_n_grams and the smallest fraction among those (for the shared upper bound)
  let dupMinN = Number.POSITIVE_INFINITY;
  let dupMinFrac = Number.POSITIVE_INFINITY;
  for (const [n, frac] of o.dup_n_grams) {
    dupMinN = Math.min(dupMinN, n);
    dupMinFrac = Math.min(dupMinFrac, frac);
  }
  return {
    name: 'gopher_repetition',
    filter(doc: Document): FilterResult {
      const text = doc.text;
      const total = text.length;
      if (total === 0) return { reason: 'empty' };
      const pd = duplicateParagraphs(text, spans);
      if (o.dup_para_frac !== null && pd.elements / pd.segments > o.dup_para_frac)
        return { reason: 'dup_para_frac' };
      if (o.dup_para_char_frac !== null && pd.chars / total > o.dup_para_char_frac)
        return { reason: 'dup_para_char_frac' };
      const ld = duplicateLines(text, spans);
      if (o.dup_line_frac !== null && ld.elements / ld.segments > o.dup_line_frac)
        return { reason: 'dup_line_frac' };
      if (o.dup_line_char_frac !== null && ld.chars / total > o.dup_line_char_frac)
        return { reason: 'dup_line_char_frac' };
      if (o.top_n_grams.length === 0 && o.dup_n_grams.length === 0) return true;
      // word hashes from the shared per-document analysis (same words as splitWords)
      const w = analyzeWords(text);
      const nW = w.count;
      if (ka.length < nW) {
        ka = new Uint32Array(nW * 2);
        kb = new Uint32Array(nW * 2);
        wh = { a: new Uint32Array(nW * 2), b: new Uint32Array(nW * 2), len: new Uint32Array(nW * 2) };
        covered = new Uint8Array(nW * 2);
      }
      if (prefix.length < nW + 1) prefix = new Float64Array(nW * 2 + 1);
      prefix[0] = 0;
      for (let i = 0; i < nW; i++) {
        const h = w.hash[i] as number;
        const len = (w.end[i] as number) - (w.start[i] as number);
        wh.a[i] = h;
        wh.b[i] = mix32(h ^ 0x9e3779b9 ^ len);
        wh.len[i] = len;
        prefix[i + 1] = (prefix[i] as number) + len; // characters of words [0, i]
      }
      // Top n-grams. If no n-gram repeats, no longer one does either: then the "top" n'-gram is simply the
      // first one. Otherwise a pass for n can be skipped when it cannot fail: an n-gram occurs at most as often
      // as its prefix n'-gram (n' < n, counted in an earlier pass), so best × chars ≤ max over positions i of
      // count_n'(i) × chars_n(i).
      let allUnique = false;
      let prevN = 0;
      for (const [n, frac] of o.top_n_grams) {
        if (nW < n) continue;
        let best = 1;
        let bestChars = ngramChars(wh, 0, n, 1);
        if (!allUnique) {
          const count = nW - n + 1;
          if (prevN > 0 && prevN < n && frac >= 0) {
            let bound = 0;
            for (let i = 0; i < count; i++) {
              const b = (counts[i] as number) * ((prefix[i + n] as number) - (prefix[i] as number) + n - 1);
              if (b > bound) bound = b;
            }
            if (bound / total <= frac) continue;
          }
          if (counts.length < nW) counts = new Int32Array(nW * 2);
          table.clear(nW);
          best = 0;
          const g0 = table.grows;
          rollingNgramKeys(wh, n, ka, kb, nW);
          for (let i = 0; i < count; i++) {
            const c = table.add(ka[i] as number, kb[i] as number);
            counts[i] = table.last;
            if (c > best) {
              best = c;
              bestChars = ngramChars(wh, i, n, 1);
            }
          }
          // final count of the n-gram at every position (for the bounds of later passes)
          if (table.grows === g0)
            for (let i = 0; i < count; i++) counts[i] = table.countAt(counts[i] as number);
          else for (let i = 0; i < count; i++) counts[i] = table.get(ka[i] as number, kb[i] as number);
          prevN = n;
          allUnique = best === 1 && topSorted;
        }
        if ((best * bestChars) / total > frac) return { reason: `top_${n}_gram` };
      }
      if (o.dup_n_grams.length === 0) return true;
      // Upper bound for every dup_n_grams rule: a repeated m-gram (m ≥ n0) that the greedy scan counts lies
      // on words that are all covered by n0-grams occurring at least twice, and counted m-grams never
      // overlap; so the repeated characters are at most the characters of those covered words. When that
      // bound is within every rule's fraction, no rule can fail and the greedy scans are skipped.
      if (dupMinFrac >= 0 && prevN > 0 && prevN <= dupMinN) {
        // Cheaper, looser bound from the last top-n pass (n' = prevN ≤ n0): the n'-grams inside a repeated
        // n0-gram all occur at least twice, so every repeated n0-gram lies in a run of n0 − n' + 1 consecutive
        // positions whose n'-gram count is ≥ 2.
        const n0 = dupMinN;
        const k = n0 - prevN;
        const cnt = nW - prevN + 1;
        covered.fill(0, 0, nW);
        let run = 0;
        for (let i = 0; i < cnt; i++) {
          if ((counts[i] as number) >= 2) {
            run++;
            if (run > k) covered.fill(1, i - k, i - k + n0);
          } else run = 0;
        }
        let bound = 0;
        for (let i = 0; i < nW; i++) if (covered[i]) bound += wh.len[i] as number;
        if (bound / total <= dupMinFrac) return true;
      }
      if (dupMinFrac >= 0) {
        const n0 = dupMinN;
        const count = rollingNgramKeys(wh, n0, ka, kb, nW);
        table.clear(nW);
        if (counts.length < nW) counts = new Int32Array(nW * 2);
        let any = false;
        const g0 = table.grows;
        for (let i = 0; i < count; i++) {
          if (table.add(ka[i] as number, kb[i] as number) > 1) any = true;
          counts[i] = table.last;
        }
        if (!any) return true; // no repeated n0-gram: no rule can count anything
        covered.fill(0, 0, nW);
        const fresh = table.grows === g0;
        for (let i = 0; i < count; i++) {
          const c = fresh ? table.countAt(counts[i] as number) : table.get(ka[i] as number, kb[i] as number);
          if (c > 1) covered.fill(1, i, i + n0);
        }
        let bound = 0;
        for (let i = 0; i < nW; i++) if (covered[i]) bound += wh.len[i] as number;
        if (bound / total <= dupMinFrac) return true;
      }
      for (const [n, frac] of o.dup_n_grams) {
        table.clear(nW);
        let repeated = 0;
        let i = 0;
        rollingNgramKeys(wh, n, ka, kb, nW);
        while (i < nW - n + 1) {
          if (table.add(ka[i] as number, kb[i] as number) > 1) {
            repeated += ngramChars(wh, i, n, 0);
            i += n;
          } else i++;
        }
        if (repeated / total > frac) return { reason: `duplicated_${n}_n_grams` };
        // no repeated n-gram ⇒ no repeated longer n-gram: the remaining (larger n) checks cannot fail
        if (repeated === 0 && dupSorted) break;
      }
      return true;
    },
  };
}

function isSortedAscending(pairs: [number, number][]): boolean {
  for (let i = 1; i < pairs.length; i++)
    if ((pairs[i] as [number, number])[0] <= (pairs[i - 1] as [number, number])[0]) return false;
  return true;
}
