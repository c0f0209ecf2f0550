// Gopher quality filter (Rae et al. 2021, datatrove defaults): document length, word length, symbols, bullets, stop words.
import { type Document, type Filter, type FilterResult, settings } from '../document.js';
import { analyzeWords, fnv1a, isSpaceCode, WORD_LETTER, WORD_SYMBOL } from '../text.js';

/** Settings of the Gopher quality filter; `null` disables a rule. */
export interface GopherQualityOptions {
  min_doc_words: number | null;
  max_doc_words: number | null;
  min_avg_word_length: number | null;
  max_avg_word_length: number | null;
  max_symbol_word_ratio: number | null;
  max_bullet_lines_ratio: number | null;
  max_ellipsis_lines_ratio: number | null;
  max_non_alpha_words_ratio: number | null;
  min_stop_words: number | null;
  stop_words: string[];
}

export const GOPHER_QUALITY_DEFAULTS: GopherQualityOptions = {
  min_doc_words: 50,
  max_doc_words: 100_000,
  min_avg_word_length: 3,
  max_avg_word_length: 10,
  max_symbol_word_ratio: 0.1,
  max_bullet_lines_ratio: 0.9,
  max_ellipsis_lines_ratio: 0.3,
  max_non_alpha_words_ratio: 0.8,
  min_stop_words: 2,
  stop_words: ['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with'],
};

/** Create the Gopher quality filter. Reasons: gopher_short_doc, gopher_long_doc, gopher_below_avg_threshold, … */
export function gopherQuality(options?: unknown): Filter {
  const o = settings(GOPHER_QUALITY_DEFAULTS, options, 'stage gopher_quality');
  // stop words in a small open-addressing table keyed by the FNV-1a hash analyzeWords computes
  const stop = [...new Set(o.stop_words)];
  let size = 16;
  while (size < stop.length * 4) size *= 2;
  const mask = size - 1;
  const keys = new Int32Array(size);
  const slot = new Int32Array(size).fill(-1); // index into `stop`, -1 = empty
  stop.forEach((w, k) => {
    const h = fnv1a(w) | 0;
    let i = h & mask;
    while ((slot[i] as number) >= 0) i = (i + 1) & mask;
    keys[i] = h;
    slot[i] = k;
  });
  return {
    name: 'gopher_quality',
    filter(doc: Document): FilterResult {
      const text = doc.text;
      const { count: nWords, start, end, hash, flags } = analyzeWords(text);
      let nonSymbol = 0;
      let lenSum = 0;
      let alpha = 0;
      let stopCount = 0;
      for (let i = 0; i < nWords; i++) {
        const f = flags[i] as number;
        const s = start[i] as number;
        const len = (end[i] as number) - s;
        if ((f & WORD_SYMBOL) === 0) {
          nonSymbol++;
          lenSum += len;
        }
        if (f & WORD_LETTER) alpha++;
        const h = (hash[i] as number) | 0;
        for (let j = h & mask; ; j = (j + 1) & mask) {
          const k = slot[j] as number;
          if (k < 0) break;
          if (keys[j] === h) {
            const w = stop[k] as string;
            if (w.length === len && text.startsWith(w, s)) {
              stopCount++;
              break;
            }
          }
        }
      }
      if (o.min_doc_words !== null && nonSymbol < o.min_doc_words) return { reason: 'gopher_short_doc' };
      if (o.max_doc_words !== null && nonSymbol > o.max_doc_words) return { reason: 'gopher_long_doc' };
      const avg = nonSymbol > 0 ? lenSum / nonSymbol : 0;
      if (o.min_avg_word_length !== null && avg < o.min_avg_word_length)
        return { reason: 'gopher_below_avg_threshold' };
      if (o.max_avg_word_length !== null && avg > o.max_avg_word_length)
        return { reason: 'gopher_above_avg_threshold' };
      if (nWords === 0) return { reason: 'gopher_short_doc' };
      if (o.max_symbol_word_ratio !== null) {
        if (count(text, '#') / nWords > o.max_symbol_word_ratio) return { reason: 'gopher_too_many_hashes' };
        if ((count(text, '...') + count(text, '…')) / nWords > o.max_symbol_word_ratio) {
          return { reason: 'gopher_too_many_ellipsis' };
        }
      }
      if (o.max_bullet_lines_ratio !== null || o.max_ellipsis_lines_ratio !== null) {
        // lines of text.split('\n'), looked at in place: first char after leading and last before trailing whitespace
        let lines = 0;
        let bullets = 0;
        let ell = 0;
        const n = text.length;
        let ls = 0;
        for (;;) {
          let le = text.indexOf('\n', ls);
          if (le === -1) le = n;
          lines++;
          let a = ls;
          while (a < le && isSpaceCode(text.charCodeAt(a))) a++;
          if (a < le) {
            const c = text.charCodeAt(a);
            if (c === 0x2022 || c === 45 || c === 42) bullets++; // • - *
            let b = le;
            while (b > a && isSpaceCode(text.charCodeAt(b - 1))) b--;
            const z = text.charCodeAt(b - 1);
            if (
              z === 0x2026 ||
              (z === 46 && b - a >= 3 && text.charCodeAt(b - 2) === 46 && text.charCodeAt(b - 3) === 46)
            )
              ell++; // … or ...
          }
          if (le === n) break;
          ls = le + 1;
        }
        if (o.max_bullet_lines_ratio !== null && bullets / lines > o.max_bullet_lines_ratio)
          return { reason: 'gopher_too_many_bullets' };
        if (o.max_ellipsis_lines_ratio !== null && ell / lines > o.max_ellipsis_lines_ratio)
          return { reason: 'gopher_too_many_end_ellipsis' };
      }
      if (o.max_non_alpha_words_ratio !== null && alpha / nWords < o.max_non_alpha_words_ratio) {
        return { reason: 'gopher_below_alpha_threshold' };
      }
      if (o.min_stop_words !== null && stopCount < o.min_stop_words)
        return { reason: 'gopher_enough_stop_words' };
      return true;
    },
  };
}

function count(text: string, sub: string): number {
  let n = 0;
  let i = text.indexOf(sub);
  while (i !== -1) {
    n++;
    i = text.indexOf(sub, i + sub.length);
  }
  return n;
}
