// FineWeb quality filter (Penedo et al. 2024, datatrove defaults): line punctuation, short lines, duplicated chars, newline ratio.
import { type Document, type Filter, type FilterResult, settings } from '../document.js';
import { findDuplicates, splitWords, TERMINAL_PUNCTUATION } from '../text.js';

/** Settings of the FineWeb filter. */
export interface FineWebOptions {
  line_punct_thr: number;
  line_punct_exclude_zero: boolean;
  short_line_thr: number;
  short_line_length: number;
  char_duplicates_ratio: number;
  /** Newlines per word above which the doc is a list (datatrove `new_line_ratio`, reason `list_ratio`). */
  new_line_ratio: number;
}

export const FINEWEB_DEFAULTS: FineWebOptions = {
  line_punct_thr: 0.12,
  line_punct_exclude_zero: false,
  short_line_thr: 0.67,
  short_line_length: 30,
  char_duplicates_ratio: 0.01,
  new_line_ratio: 0.3,
};

/** Create the FineWeb filter. Reasons: empty, line_punct_ratio, short_line_ratio, char_dup_ratio, list_ratio. */
export function fineweb(options?: unknown): Filter {
  const o = settings(FINEWEB_DEFAULTS, options, 'stage fineweb');
  return {
    name: 'fineweb',
    filter(doc: Document): FilterResult {
      const text = doc.text;
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      if (lines.length === 0) return { reason: 'empty' };
      let punct = 0;
      let short = 0;
      for (const l of lines) {
        if (TERMINAL_PUNCTUATION.has(l.slice(-1))) punct++;
        if (l.length <= o.short_line_length) short++;
      }
      const pr = punct / lines.length;
      if (pr < o.line_punct_thr && !(pr === 0 && o.line_punct_exclude_zero))
        return { reason: 'line_punct_ratio' };
      if (short / lines.length > o.short_line_thr) return { reason: 'short_line_ratio' };
      const nonNl = text.length - countChar(text, '\n');
      if (nonNl === 0 || findDuplicates(lines).chars / nonNl > o.char_duplicates_ratio)
        return { reason: 'char_dup_ratio' };
      const words = splitWords(text).length;
      if (words === 0 || countChar(text, '\n') / words > o.new_line_ratio) return { reason: 'list_ratio' };
      return true;
    },
  };
}

function countChar(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i !== -1; i = s.indexOf(ch, i + 1)) n++;
  return n;
}
