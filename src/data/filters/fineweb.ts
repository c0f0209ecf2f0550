// FineWeb quality filter (Penedo et al. 2024, datatrove defaults): line punctuation, short lines, duplicated chars, newline ratio.
import { type Document, type Filter, type FilterResult, settings } from '../document.js';
import { SpanSet } from '../hash-table.js';
import { isSpaceCode, spanHash, TERMINAL_PUNCTUATION } from '../text.js';

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
  const seen = new SpanSet();
  const terminal = new Set<number>();
  for (const p of TERMINAL_PUNCTUATION) if (p.length === 1) terminal.add(p.charCodeAt(0));
  return {
    name: 'fineweb',
    filter(doc: Document): FilterResult {
      const text = doc.text;
      const n = text.length;
      // non-blank lines of text.split('\n'), looked at in place; duplicates counted over the line strings
      let lines = 0;
      let punct = 0;
      let short = 0;
      let newlines = 0;
      let dupChars = 0;
      let words = 0;
      seen.clear(text);
      let ls = 0;
      for (;;) {
        let le = text.indexOf('\n', ls);
        const last = le === -1;
        if (last) le = n;
        else newlines++;
        let a = ls;
        while (a < le && isSpaceCode(text.charCodeAt(a))) a++;
        if (a < le) {
          lines++;
          if (terminal.has(text.charCodeAt(le - 1))) punct++;
          if (le - ls <= o.short_line_length) short++;
          // count the line's words (whitespace-delimited tokens, as analyzeWords counts them)
          let space = true;
          for (let i = ls; i < le; i++) {
            const c = text.charCodeAt(i);
            if (c <= 32 ? c === 32 || (c >= 9 && c <= 13) : c >= 0xa0 && isSpaceCode(c)) space = true;
            else if (space) {
              words++;
              space = false;
            }
          }
          if (seen.add(ls, le, spanHash(text, ls, le))) dupChars += le - ls;
        }
        if (last) break;
        ls = le + 1;
      }
      if (lines === 0) return { reason: 'empty' };
      const pr = punct / lines;
      if (pr < o.line_punct_thr && !(pr === 0 && o.line_punct_exclude_zero))
        return { reason: 'line_punct_ratio' };
      if (short / lines > o.short_line_thr) return { reason: 'short_line_ratio' };
      const nonNl = n - newlines;
      if (nonNl === 0 || dupChars / nonNl > o.char_duplicates_ratio) return { reason: 'char_dup_ratio' };
      if (words === 0 || newlines / words > o.new_line_ratio) return { reason: 'list_ratio' };
      return true;
    },
  };
}
