// C4 quality filter (Raffel et al. 2020, datatrove defaults): drops bad lines, then whole docs on lorem ipsum / braces / few sentences.
import { type Document, type Filter, type FilterResult, settings } from '../document.js';
import { isSpaceCode } from '../text.js';

/** Settings of the C4 filter. Line rules remove lines; doc rules drop the document. */
export interface C4Options {
  filter_no_terminal_punct: boolean;
  min_words_per_line: number;
  max_word_length: number;
  filter_javascript: boolean;
  filter_policy: boolean;
  filter_lorem_ipsum: boolean;
  filter_curly_bracket: boolean;
  remove_citations: boolean;
  min_num_sentences: number;
  policy_substrings: string[];
}

export const C4_DEFAULTS: C4Options = {
  filter_no_terminal_punct: true,
  min_words_per_line: 3,
  max_word_length: 1000,
  filter_javascript: true,
  filter_policy: true,
  filter_lorem_ipsum: true,
  filter_curly_bracket: true,
  remove_citations: true,
  min_num_sentences: 5,
  policy_substrings: [
    'terms of use',
    'privacy policy',
    'cookie policy',
    'uses cookies',
    'use of cookies',
    'use cookies',
  ],
};

const CITATION_RE = /\[\d*\]|\[edit\]|\[citation needed\]/gi;

/** Count sentences in a line (split after runs of `.`, `!`, `?`). */
export function countSentences(line: string): number {
  // same count as matching /[^.!?]+(?:[.!?]+|$)/g and keeping non-blank matches: every run of other characters
  // that is followed by terminal punctuation counts; a trailing run counts when it is not all whitespace
  let n = 0;
  let inRun = false;
  let blank = true;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 46 || c === 33 || c === 63) {
      if (inRun) n++;
      inRun = false;
      blank = true;
    } else {
      inRun = true;
      if (blank && !isSpaceCode(c)) blank = false;
    }
  }
  if (inRun && !blank) n++;
  return n;
}

/** Create the C4 filter. Rewrites `doc.text` to the kept lines. Reasons: lorem_ipsum, curly_bracket, too_few_sentences. */
export function c4(options?: unknown): Filter {
  const o = settings(C4_DEFAULTS, options, 'stage c4');
  // Lines made only of ASCII characters contain a lowercased phrase exactly when this case-insensitive pattern
  // matches them, so most lines skip toLowerCase and the phrase searches (null: phrases outside ASCII).
  const phrases = [
    ...(o.filter_lorem_ipsum ? ['lorem ipsum'] : []),
    ...(o.filter_javascript ? ['javascript'] : []),
    ...(o.filter_policy ? o.policy_substrings : []),
  ];
  const asciiPhrases = phrases.every((p) => /^[\x00-\x7f]*$/.test(p))
    ? new RegExp(
        phrases.length ? phrases.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') : '(?!)',
        'i',
      )
    : null;
  return {
    name: 'c4',
    filter(doc: Document): FilterResult {
      const kept: string[] = [];
      let sentences = 0;
      let removed = 0;
      const text = doc.text;
      const n = text.length;
      let ls = 0;
      for (;;) {
        // one line of text.split(/\r?\n/), trimmed: [a, b)
        let le = text.indexOf('\n', ls);
        const last = le === -1;
        if (last) le = n;
        const next = le + 1;
        let a = ls;
        let b = le;
        while (a < b && isSpaceCode(text.charCodeAt(a))) a++;
        while (b > a && isSpaceCode(text.charCodeAt(b - 1))) b--;
        ls = next;
        if (a < b) {
          // words of line.split(/\s+/) on the trimmed line (count and longest), and its sentences (countSentences)
          let words = 1;
          let longest = 0;
          let ascii = true;
          let ws = a;
          let sent = 0;
          let inRun = false;
          let blank = true;
          for (let i = a; i < b; i++) {
            const c = text.charCodeAt(i);
            if (c > 127) ascii = false;
            if (c === 46 || c === 33 || c === 63) {
              if (inRun) sent++;
              inRun = false;
              blank = true;
            } else inRun = true;
            if (c <= 32 ? c === 32 || (c >= 9 && c <= 13) : c >= 0xa0 && isSpaceCode(c)) {
              if (ws >= 0) {
                if (i - ws > longest) longest = i - ws;
                words++;
                ws = -1;
              }
            } else {
              if (ws < 0) ws = i;
              if (inRun) blank = false;
            }
          }
          if (inRun && !blank) sent++;
          if (b - ws > longest) longest = b - ws;
          if (o.max_word_length > 0 && longest > o.max_word_length) {
            removed++;
          } else {
            let line = text.slice(a, b);
            if (o.remove_citations && line.includes('[')) {
              const cut = line.replace(CITATION_RE, '');
              if (cut !== line) {
                line = cut;
                sent = countSentences(line);
              }
            }
            if (o.filter_no_terminal_punct && (!endsWithTerminal(line) || line.endsWith('...'))) {
              removed++;
            } else if (words < o.min_words_per_line) {
              removed++;
            } else if (ascii && asciiPhrases !== null && !asciiPhrases.test(line)) {
              // no phrase can occur: only the curly-bracket rule applies
              if (o.filter_curly_bracket && line.includes('{')) return { reason: 'curly_bracket' };
              sentences += sent;
              kept.push(line);
            } else {
              const lower = line.toLowerCase();
              if (o.filter_lorem_ipsum && lower.includes('lorem ipsum')) return { reason: 'lorem_ipsum' };
              if (o.filter_javascript && lower.includes('javascript')) {
                removed++;
              } else {
                if (o.filter_curly_bracket && line.includes('{')) return { reason: 'curly_bracket' };
                if (o.filter_policy && o.policy_substrings.some((p) => lower.includes(p))) {
                  removed++;
                } else {
                  sentences += sent;
                  kept.push(line);
                }
              }
            }
          }
        }
        if (last) break;
      }
      if (o.min_num_sentences > 0 && sentences < o.min_num_sentences) return { reason: 'too_few_sentences' };
      if (removed > 0) doc.metadata.c4_lines_removed = removed;
      const out = kept.join('\n').trim();
      if (out !== text) doc.text = out;
      return true;
    },
  };
}

/** Ends with one of C4's terminal punctuation marks (`.`, `?`, `!`, `"`). */
function endsWithTerminal(line: string): boolean {
  const c = line.charCodeAt(line.length - 1);
  return c === 46 || c === 63 || c === 33 || c === 34;
}
