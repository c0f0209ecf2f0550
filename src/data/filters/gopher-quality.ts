// Gopher quality filter (Rae et al. 2021, datatrove defaults): document length, word length, symbols, bullets, stop words.
import { type Document, type Filter, type FilterResult, settings } from '../document.js';
import { hasLetter, isSymbolToken, splitWords } from '../text.js';

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
  const stop = new Set(o.stop_words);
  return {
    name: 'gopher_quality',
    filter(doc: Document): FilterResult {
      const text = doc.text;
      const words = splitWords(text);
      const nWords = words.length;
      let nonSymbol = 0;
      let lenSum = 0;
      let alpha = 0;
      let stopCount = 0;
      for (const w of words) {
        if (!isSymbolToken(w)) {
          nonSymbol++;
          lenSum += w.length;
        }
        if (hasLetter(w)) alpha++;
        if (stop.has(w)) stopCount++;
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
      const lines = text.split('\n');
      if (o.max_bullet_lines_ratio !== null) {
        let bullets = 0;
        for (const l of lines) {
          const s = l.trimStart();
          if (s.startsWith('•') || s.startsWith('-') || s.startsWith('*')) bullets++;
        }
        if (bullets / lines.length > o.max_bullet_lines_ratio) return { reason: 'gopher_too_many_bullets' };
      }
      if (o.max_ellipsis_lines_ratio !== null) {
        let ell = 0;
        for (const l of lines) {
          const s = l.trimEnd();
          if (s.endsWith('...') || s.endsWith('…')) ell++;
        }
        if (ell / lines.length > o.max_ellipsis_lines_ratio)
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
