// Gopher repetition filter (Rae et al. 2021, datatrove defaults): duplicated lines/paragraphs and repeated n-grams.
import { type Document, type Filter, type FilterResult, settings } from '../document.js';
import { PairCounter } from '../hash-table.js';
import { findDuplicates, hashWords, ngramChars, rollingNgramKeys, splitWords } from '../text.js';

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
  let ka = new Uint32Array(1024);
  let kb = new Uint32Array(1024);
  return {
    name: 'gopher_repetition',
    filter(doc: Document): FilterResult {
      const text = doc.text;
      const total = text.length;
      if (total === 0) return { reason: 'empty' };
      const paragraphs = text.trim().split(/\n{2,}/);
      const pd = findDuplicates(paragraphs);
      if (o.dup_para_frac !== null && pd.elements / paragraphs.length > o.dup_para_frac)
        return { reason: 'dup_para_frac' };
      if (o.dup_para_char_frac !== null && pd.chars / total > o.dup_para_char_frac)
        return { reason: 'dup_para_char_frac' };
      const lines = text.split(/\n+/);
      const ld = findDuplicates(lines);
      if (o.dup_line_frac !== null && ld.elements / lines.length > o.dup_line_frac)
        return { reason: 'dup_line_frac' };
      if (o.dup_line_char_frac !== null && ld.chars / total > o.dup_line_char_frac)
        return { reason: 'dup_line_char_frac' };
      const words = splitWords(text);
      const wh = hashWords(words);
      const nW = words.length;
      if (ka.length < nW) {
        ka = new Uint32Array(nW * 2);
        kb = new Uint32Array(nW * 2);
      }
      // if no n-gram repeats, no longer one does either: then the "top" n'-gram is simply the first one
      let allUnique = false;
      for (const [n, frac] of o.top_n_grams) {
        if (nW < n) continue;
        let best = 1;
        let bestChars = ngramChars(wh, 0, n, 1);
        if (!allUnique) {
          table.clear(nW);
          best = 0;
          const count = rollingNgramKeys(wh, n, ka, kb);
          for (let i = 0; i < count; i++) {
            const c = table.add(ka[i] as number, kb[i] as number);
            if (c > best) {
              best = c;
              bestChars = ngramChars(wh, i, n, 1);
            }
          }
          allUnique = best === 1 && isSortedAscending(o.top_n_grams);
        }
        if ((best * bestChars) / total > frac) return { reason: `top_${n}_gram` };
      }
      for (const [n, frac] of o.dup_n_grams) {
        table.clear(nW);
        let repeated = 0;
        let i = 0;
        rollingNgramKeys(wh, n, ka, kb);
        while (i < nW - n + 1) {
          if (table.add(ka[i] as number, kb[i] as number) > 1) {
            repeated += ngramChars(wh, i, n, 0);
            i += n;
          } else i++;
        }
        if (repeated / total > frac) return { reason: `duplicated_${n}_n_grams` };
        // no repeated n-gram ⇒ no repeated longer n-gram: the remaining (larger n) checks cannot fail
        if (repeated === 0 && isSortedAscending(o.dup_n_grams)) break;
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
