// C4 quality filter (Raffel et al. 2020, datatrove defaults): drops bad lines, then whole docs on lorem ipsum / braces / few sentences.
import { type Document, type Filter, type FilterResult, settings } from '../document.js';

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

const END_PUNCT = ['.', '?', '!', '"'];
const CITATION_RE = /\[\d*\]|\[edit\]|\[citation needed\]/gi;
const SENTENCE_RE = /[^.!?]+(?:[.!?]+|$)/g;

/** Count sentences in a line (split after runs of `.`, `!`, `?`). */
export function countSentences(line: string): number {
  let n = 0;
  for (const m of line.matchAll(SENTENCE_RE)) if (m[0].trim().length > 0) n++;
  return n;
}

/** Create the C4 filter. Rewrites `doc.text` to the kept lines. Reasons: lorem_ipsum, curly_bracket, too_few_sentences. */
export function c4(options?: unknown): Filter {
  const o = settings(C4_DEFAULTS, options, 'stage c4');
  return {
    name: 'c4',
    filter(doc: Document): FilterResult {
      const kept: string[] = [];
      let sentences = 0;
      let removed = 0;
      for (const raw of doc.text.split(/\r?\n/)) {
        let line = raw.trim();
        if (line.length === 0) continue;
        const words = line.split(/\s+/);
        if (o.max_word_length > 0 && words.some((w) => w.length > o.max_word_length)) {
          removed++;
          continue;
        }
        if (o.remove_citations) line = line.replace(CITATION_RE, '');
        if (
          o.filter_no_terminal_punct &&
          (!END_PUNCT.some((p) => line.endsWith(p)) || line.endsWith('...'))
        ) {
          removed++;
          continue;
        }
        if (words.length < o.min_words_per_line) {
          removed++;
          continue;
        }
        const lower = line.toLowerCase();
        if (o.filter_lorem_ipsum && lower.includes('lorem ipsum')) return { reason: 'lorem_ipsum' };
        if (o.filter_javascript && lower.includes('javascript')) {
          removed++;
          continue;
        }
        if (o.filter_curly_bracket && line.includes('{')) return { reason: 'curly_bracket' };
        if (o.filter_policy && o.policy_substrings.some((p) => lower.includes(p))) {
          removed++;
          continue;
        }
        sentences += countSentences(line);
        kept.push(line);
      }
      if (o.min_num_sentences > 0 && sentences < o.min_num_sentences) return { reason: 'too_few_sentences' };
      if (removed > 0) doc.metadata.c4_lines_removed = removed;
      doc.text = kept.join('\n').trim();
      return true;
    },
  };
}
