// Plain string/regex reference versions of the heuristic filters and MinHash shingling (the obvious, slow
// definitions), used to check that the optimised implementations in src/data give identical results.
import type { FilterResult } from '../../src/data/document.js';
import { C4_DEFAULTS, type C4Options } from '../../src/data/filters/c4.js';
import { FINEWEB_DEFAULTS, type FineWebOptions } from '../../src/data/filters/fineweb.js';
import { GOPHER_QUALITY_DEFAULTS, type GopherQualityOptions } from '../../src/data/filters/gopher-quality.js';
import {
  GOPHER_REPETITION_DEFAULTS,
  type GopherRepetitionOptions,
} from '../../src/data/filters/gopher-repetition.js';
import type { LangIdModel } from '../../src/data/langid/langid.js';
import { normalizeForLangId } from '../../src/data/langid/langid.js';
import { TERMINAL_PUNCTUATION } from '../../src/data/text.js';

const PUNCT_RE = /^[\p{P}\p{S}]+$/u;
const EDGE_RE = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;

/** Whitespace tokens, edge punctuation stripped, pure-punctuation tokens kept whole. */
export function refWords(text: string): string[] {
  return text
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map((t) => (PUNCT_RE.test(t) ? t : t.replace(EDGE_RE, '')));
}

function dups(xs: string[]): { elements: number; chars: number } {
  const seen = new Set<string>();
  let elements = 0;
  let chars = 0;
  for (const x of xs) {
    if (seen.has(x)) {
      elements++;
      chars += x.length;
    } else seen.add(x);
  }
  return { elements, chars };
}

function occurrences(text: string, sub: string): number {
  return text.split(sub).length - 1;
}

/** Gopher quality, written directly from its definition. */
export function refGopherQuality(text: string, opts: Partial<GopherQualityOptions> = {}): FilterResult {
  const o = { ...GOPHER_QUALITY_DEFAULTS, ...opts };
  const words = refWords(text);
  const nonSymbol = words.filter((w) => !PUNCT_RE.test(w));
  const stop = new Set(o.stop_words);
  const n = nonSymbol.length;
  if (o.min_doc_words !== null && n < o.min_doc_words) return { reason: 'gopher_short_doc' };
  if (o.max_doc_words !== null && n > o.max_doc_words) return { reason: 'gopher_long_doc' };
  const avg = n > 0 ? nonSymbol.reduce((a, w) => a + w.length, 0) / n : 0;
  if (o.min_avg_word_length !== null && avg < o.min_avg_word_length)
    return { reason: 'gopher_below_avg_threshold' };
  if (o.max_avg_word_length !== null && avg > o.max_avg_word_length)
    return { reason: 'gopher_above_avg_threshold' };
  if (words.length === 0) return { reason: 'gopher_short_doc' };
  if (o.max_symbol_word_ratio !== null) {
    if (occurrences(text, '#') / words.length > o.max_symbol_word_ratio)
      return { reason: 'gopher_too_many_hashes' };
    if ((occurrences(text, '...') + occurrences(text, '…')) / words.length > o.max_symbol_word_ratio)
      return { reason: 'gopher_too_many_ellipsis' };
  }
  const lines = text.split('\n');
  if (o.max_bullet_lines_ratio !== null) {
    const b = lines.filter((l) => /^[•\-*]/.test(l.trimStart())).length;
    if (b / lines.length > o.max_bullet_lines_ratio) return { reason: 'gopher_too_many_bullets' };
  }
  if (o.max_ellipsis_lines_ratio !== null) {
    const e = lines.filter((l) => /(\.\.\.|…)$/.test(l.trimEnd())).length;
    if (e / lines.length > o.max_ellipsis_lines_ratio) return { reason: 'gopher_too_many_end_ellipsis' };
  }
  const alpha = words.filter((w) => /\p{L}/u.test(w)).length;
  if (o.max_non_alpha_words_ratio !== null && alpha / words.length < o.max_non_alpha_words_ratio)
    return { reason: 'gopher_below_alpha_threshold' };
  if (o.min_stop_words !== null && words.filter((w) => stop.has(w)).length < o.min_stop_words)
    return { reason: 'gopher_enough_stop_words' };
  return true;
}

/** Gopher repetition with string n-grams (words joined by a space as keys). */
export function refGopherRepetition(text: string, opts: Partial<GopherRepetitionOptions> = {}): FilterResult {
  const o = { ...GOPHER_REPETITION_DEFAULTS, ...opts };
  const total = text.length;
  if (total === 0) return { reason: 'empty' };
  const paragraphs = text.trim().split(/\n{2,}/);
  const pd = dups(paragraphs);
  if (o.dup_para_frac !== null && pd.elements / paragraphs.length > o.dup_para_frac)
    return { reason: 'dup_para_frac' };
  if (o.dup_para_char_frac !== null && pd.chars / total > o.dup_para_char_frac)
    return { reason: 'dup_para_char_frac' };
  const lines = text.split(/\n+/);
  const ld = dups(lines);
  if (o.dup_line_frac !== null && ld.elements / lines.length > o.dup_line_frac)
    return { reason: 'dup_line_frac' };
  if (o.dup_line_char_frac !== null && ld.chars / total > o.dup_line_char_frac)
    return { reason: 'dup_line_char_frac' };
  const words = refWords(text);
  const gram = (i: number, n: number) => words.slice(i, i + n).join(' ');
  for (const [n, frac] of o.top_n_grams) {
    if (words.length < n) continue;
    // the n-gram whose running count first reaches the highest count, times its length (words + spaces)
    const counts = new Map<string, number>();
    let best = 0;
    let bestChars = 0;
    for (let i = 0; i + n <= words.length; i++) {
      const g = gram(i, n);
      const c = (counts.get(g) ?? 0) + 1;
      counts.set(g, c);
      if (c > best) {
        best = c;
        bestChars = g.length;
      }
    }
    if ((best * bestChars) / total > frac) return { reason: `top_${n}_gram` };
  }
  for (const [n, frac] of o.dup_n_grams) {
    // datatrove find_all_duplicate: greedy scan, a repeated n-gram counts its characters and is skipped
    const seen = new Set<string>();
    let repeated = 0;
    let i = 0;
    while (i < words.length - n + 1) {
      const g = gram(i, n);
      if (seen.has(g)) {
        repeated += g.length - (n - 1);
        i += n;
      } else {
        seen.add(g);
        i++;
      }
    }
    if (repeated / total > frac) return { reason: `duplicated_${n}_n_grams` };
  }
  return true;
}

/** C4 with regexes; returns the verdict and the rewritten text / lines removed. */
export function refC4(
  text: string,
  opts: Partial<C4Options> = {},
): { r: FilterResult; text: string; removed: number } {
  const o = { ...C4_DEFAULTS, ...opts };
  const kept: string[] = [];
  let sentences = 0;
  let removed = 0;
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line.length === 0) continue;
    const words = line.split(/\s+/);
    if (o.max_word_length > 0 && words.some((w) => w.length > o.max_word_length)) {
      removed++;
      continue;
    }
    if (o.remove_citations) line = line.replace(/\[\d*\]|\[edit\]|\[citation needed\]/gi, '');
    if (
      o.filter_no_terminal_punct &&
      (!['.', '?', '!', '"'].some((p) => line.endsWith(p)) || line.endsWith('...'))
    ) {
      removed++;
      continue;
    }
    if (words.length < o.min_words_per_line) {
      removed++;
      continue;
    }
    const lower = line.toLowerCase();
    if (o.filter_lorem_ipsum && lower.includes('lorem ipsum'))
      return { r: { reason: 'lorem_ipsum' }, text, removed };
    if (o.filter_javascript && lower.includes('javascript')) {
      removed++;
      continue;
    }
    if (o.filter_curly_bracket && line.includes('{'))
      return { r: { reason: 'curly_bracket' }, text, removed };
    if (o.filter_policy && o.policy_substrings.some((p) => lower.includes(p))) {
      removed++;
      continue;
    }
    sentences += refCountSentences(line);
    kept.push(line);
  }
  if (o.min_num_sentences > 0 && sentences < o.min_num_sentences)
    return { r: { reason: 'too_few_sentences' }, text, removed };
  return { r: true, text: kept.join('\n').trim(), removed };
}

/** Sentences as non-blank matches of /[^.!?]+(?:[.!?]+|$)/g. */
export function refCountSentences(line: string): number {
  let n = 0;
  for (const m of line.matchAll(/[^.!?]+(?:[.!?]+|$)/g)) if (m[0].trim().length > 0) n++;
  return n;
}

/** FineWeb quality rules with plain string operations. */
export function refFineweb(text: string, opts: Partial<FineWebOptions> = {}): FilterResult {
  const o = { ...FINEWEB_DEFAULTS, ...opts };
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return { reason: 'empty' };
  const pr = lines.filter((l) => TERMINAL_PUNCTUATION.has(l.slice(-1))).length / lines.length;
  if (pr < o.line_punct_thr && !(pr === 0 && o.line_punct_exclude_zero))
    return { reason: 'line_punct_ratio' };
  if (lines.filter((l) => l.length <= o.short_line_length).length / lines.length > o.short_line_thr)
    return { reason: 'short_line_ratio' };
  const newlines = occurrences(text, '\n');
  const nonNl = text.length - newlines;
  if (nonNl === 0 || dups(lines).chars / nonNl > o.char_duplicates_ratio) return { reason: 'char_dup_ratio' };
  const words = refWords(text).length;
  if (words === 0 || newlines / words > o.new_line_ratio) return { reason: 'list_ratio' };
  return true;
}

/** MinHash shingling words: lowercase, split on anything that is not a letter or digit. */
export function refShingleWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** Per-language log-likelihood sums of the character 1–3-grams of the normalised text (unnormalised scores). */
export function refLangSums(
  text: string,
  model: LangIdModel,
  maxChars: number,
): { sums: number[]; n: number } {
  const s = normalizeForLangId(text, maxChars);
  const L = model.langs.length;
  const sums = new Array<number>(L).fill(0);
  const mask = (1 << model.bits) - 1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let h = 0x811c9dc5;
    for (let k = 1; k <= model.maxN && i + k <= s.length; k++) {
      const c = s.charCodeAt(i + k - 1);
      if (k === 1 && c === 32) break;
      h = Math.imul(h ^ c, 0x01000193);
      let x = h ^ k;
      x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
      x ^= x >>> 13;
      const b = x & mask;
      for (let j = model.offsets[b] as number; j < (model.offsets[b + 1] as number); j++)
        sums[model.lang[j] as number] += model.diff[j] as number;
      n++;
    }
  }
  for (let j = 0; j < L; j++) sums[j] += n * (model.unseen[j] as number);
  return { sums, n };
}
